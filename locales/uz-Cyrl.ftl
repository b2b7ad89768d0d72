# Yagona ID — ўзбекча (кирилл ёзуви).
# Every message id here must exist in en.ftl, uz.ftl and ru.ftl too (a unit test checks).

## Layout

app-name = Yagona ID
tagline = Давлат хизматлари учун ягона кириш
skip-to-content = Асосий мазмунга ўтиш
lang-switcher-label = Тил
footer-text = Yagona ID — Ўзбекистон Республикаси давлат хизматлари учун ягона идентификация тизими.
footer-safety = Биз ҳеч қачон паролингизни телефон, SMS ёки электрон почта орқали сўрамаймиз.
form-error-heading = Хатолик юз берди
error-code-label = Хатолик коди

## Sign-in page

login-title = Тизимга кириш
login-intro = «{ $client }» хизматига ўтиш учун тизимга киринг.
login-field-login = Фойдаланувчи номи, электрон почта, телефон рақами ёки ЖШШИР
login-field-login-hint = ЖШШИР — 14 хонали шахсий идентификация рақамингиз.
login-field-password = Парол
login-submit = Кириш

## Sign-in errors (the same text for an unknown login and a wrong password)

error-login-failed = Логин ёки парол нотўғри.
error-throttled = Уринишлар сони жуда кўп. Бир дақиқа кутиб, қайтадан уриниб кўринг.
error-login-required-fields = Логин ва паролни киритинг.

## Consent page

consent-title = Маълумотларингизни улашиш
consent-intro = «{ $client }» қуйидаги маълумотларга рухсат сўрамоқда:
consent-signed-in-as = Сиз { $account } сифатида тизимга киргансиз.
consent-explain = Рухсат берсангиз, Yagona ID ушбу маълумотларни «{ $client }» билан улашади. Рад этсангиз, порталга қайтасиз ва ҳеч қандай маълумот улашилмайди.
consent-allow = Рухсат бериш
consent-deny = Рад этиш

## What each scope gives a portal

scope-openid = Портал сизни таний олиши учун Yagona ID идентификаторингиз
scope-profile = Исмингиз ва асосий профиль маълумотларингиз
scope-email = Электрон почта манзилингиз
scope-phone = Телефон рақамингиз
scope-pinfl = ЖШШИР (шахсий идентификация рақамингиз)
scope-offline_access = Сиз тизимда бўлмаганингизда ҳам, рухсатни бекор қилмагунингизча, ушбу маълумотлардан фойдаланиш

## Error page

error-title = Нимадир нотўғри кетди
error-invalid-client = Ушбу порталнинг кириш ҳаволаси яроқсиз. Порталга қайтиб, қайтадан уриниб кўринг.
error-request-expired = Ушбу кириш саҳифасининг муддати тугаган. Порталга қайтиб, қайтадан бошланг.
error-csrf = Шаклнинг муддати тугаган. Илтимос, қайтадан уриниб кўринг.
error-bad-request = Сўровни бажариб бўлмади. Орқага қайтиб, қайтадан уриниб кўринг.
error-not-found = Сиз қидираётган саҳифа мавжуд эмас. Манзилни текшириб, қайтадан уриниб кўринг.
error-internal = Кечирасиз, биз томонда хатолик юз берди. Бироздан сўнг қайтадан уриниб кўринг.
error-logout-invalid = Ушбу чиқиш сўрови яроқсиз. Порталга қайтиб, у ердан чиқинг.

## Sign-out

logout-title = Тизимдан чиқиш
logout-question = Yagona ID тизимидан чиқмоқчимисиз?
logout-requested-by = «{ $client }» сизни тизимдан чиқаришни сўрамоқда.
logout-explain = Бу ушбу қурилмадаги Yagona ID сеансингизни якунлайди. Кейинги сафар портал сўраганда тизимга қайтадан киришингиз керак бўлади.
logout-confirm = Ҳа, чиқиш
logout-cancel = Йўқ, тизимда қолиш
signed-out-title = Сиз тизимдан чиқдингиз
signed-out-message = Ушбу қурилмадаги Yagona ID сеансингиз якунланди. Агар умумий компьютердан фойдаланаётган бўлсангиз, браузерни ҳам ёпинг.

## Demo agency portal

demo-title = Намунавий идора портали
demo-intro = Бу портал Yagona ID орқали киришни синаб кўриш учун мўлжалланган намунавий мижоз иловаси бўлиб, уни Yagona ID тизимининг ўзи юритади. У маълумотларингизни ҳақиқий давлат портали қандай олса, худди шундай олади.
demo-sign-in = Yagona ID орқали кириш
demo-result-title = Сиз намунавий порталга кирдингиз
demo-result-intro = Портал Yagona ID тизимидан қуйидаги маълумотларни олди.
demo-id-token-heading = ID token маълумотлари (claims)
demo-userinfo-heading = UserInfo жавоби
demo-sign-out = Чиқиш

## My account

account-title = Менинг ҳисобим
account-welcome = Хуш келибсиз, { $name }!
account-details-heading = Маълумотларингиз
account-field-name = Исм
account-field-username = Фойдаланувчи номи
account-field-email = Электрон почта
account-field-phone = Телефон
account-field-pinfl = ЖШШИР
account-not-provided = Кўрсатилмаган
account-sign-out = Чиқиш

## Passkeys: sign-in page (texts the browser script shows come through data- attributes)

login-or = ёки
login-passkey-button = Кириш калити билан кириш
login-passkey-required = Бу хизмат кириш калити билан киришни сўрайди.
login-second-factor-title = Бу сизлигингизни тасдиқланг
login-second-factor-intro = Сиз парол билан кирдингиз. Яна бир қадам: шу қурилмадаги, телефонингиздаги ёки хавфсизлик калитингиздаги кириш калити билан тасдиқланг.
login-second-factor-button = Кириш калити билан тасдиқлаш
passkey-working = Браузер ёки қурилмангиз кўрсатмаларига амал қилинг…
passkey-unsupported = Бу браузер кириш калитлари билан ишлай олмайди. Парол билан киринг ёки янгиланган браузердан фойдаланинг.
passkey-cancelled = Кириш калити сўрови бекор қилинди ёки вақти тугади. Қайтадан уриниб кўришингиз мумкин.
passkey-failed = Кириш калитини текшириб бўлмади. Қайтадан уриниб кўринг ёки парол билан киринг.
passkey-expired = Бу саҳифанинг вақти тугаган. Саҳифани янгилаб, қайтадан уриниб кўринг.
passkey-unknown = Бу кириш калити Yagona ID’да рўйхатдан ўтмаган. Парол билан киринг ва уни «Менинг ҳисобим» саҳифасида қўшинг.
passkey-already-registered = Бу кириш калити ҳисобингизга аллақачон қўшилган.
passkey-default-name = Кириш калити

## Passkeys: My account

account-passkeys-heading = Кириш калитлари
account-passkeys-intro = Кириш калити парол ўрнига телефонингиз, бармоқ изингиз ёки хавфсизлик калити билан кириш имконини беради. Кириш калитларини фишинг орқали ўғирлаб бўлмайди.
account-passkeys-none = Сизда ҳали кириш калити йўқ.
account-passkey-created = Қўшилган
account-passkey-last-used = Охирги фойдаланиш
account-passkey-never-used = Ҳеч қачон
account-passkey-synced = Қурилмаларингиз орасида синхронланади
account-passkey-device-bound = Битта қурилмада сақланади
account-passkey-name-label = Номи
account-passkey-rename = Номини ўзгартириш
account-passkey-remove = Ўчириш
account-passkey-add = Кириш калитини қўшиш
account-passkey-new-name-label = Янги кириш калити номи
account-passkey-new-name-hint = Масалан, «Телефоним» ёки «Ишдаги ноутбук».
account-passkey-added = Кириш калити қўшилди. Кейинги сафар у билан киришингиз мумкин.
account-passkey-renamed = Кириш калитининг номи ўзгартирилди.
account-passkey-removed = Кириш калити ўчирилди.
account-passkey-last-method = Бу кириш калитини ўчириб бўлмайди: у ҳисобингизга киришнинг ягона усули. Аввал бошқа кириш калитини қўшинг.
account-passkey-not-found = Бу кириш калити топилмади. Эҳтимол, у аллақачон ўчирилган.
account-second-factor-heading = Иккинчи омил
account-second-factor-explain = Ёқилганда фақат паролнинг ўзи етарли бўлмайди: ҳар бир кириш кириш калитларингиздан бири билан тасдиқланади.
account-second-factor-status-on = Паролдан кейин кириш калити талаб қилинади.
account-second-factor-status-off = Кириш учун паролнинг ўзи етарли.
account-second-factor-enable = Паролдан кейин кириш калитини талаб қилиш
account-second-factor-disable = Кириш калитини талаб қилмаслик
account-second-factor-on = Бундан буён кириш учун паролдан кейин кириш калити керак бўлади.
account-second-factor-off = Кириш учун яна паролнинг ўзи етарли.

## E-signature sign-in
esign-title = Электрон имзо билан кириш
esign-intro = Электрон имзо калитингиз шу саҳифадаги бир марталик кодни имзолайди. Бошқа ҳеч нарса имзоланмайди, код икки дақиқа амал қилади.
esign-no-app = Бу компьютерда E-IMZO иловаси топилмади. Кодни бошқа дастур билан имзолаб, имзони қуйига жойлашингиз мумкин.
esign-app-failed = E-IMZO иловаси кодни имзолай олмади. Калит ва паролни текширинг ёки имзони қуйига жойланг.
esign-choose-key = Калитингизни танланг
esign-sign-with-app = E-IMZO билан имзолаш
esign-manual-heading = Бошқа дастур билан имзолаш
esign-manual-intro = Айнан шу кодни бириктирилган PKCS#7 имзоси билан имзоланг:
esign-manual-hint = Масалан: openssl cms -sign -nodetach -binary -outform DER -signer cert.pem -inkey key.pem -in code.txt | base64 -w0
esign-field-signature = Имзо (Base64)
esign-submit = Кириш
esign-use-password = Парол билан кириш
esign-failed = Электрон имзо қабул қилинмади. Янги код билан қайтадан бошланг ёки бошқа усул билан киринг.
login-esign-link = Электрон имзо билан кириш (E-IMZO)
scope-organization = Компания электрон имзонгиздаги ташкилот номидан иш юритиш (СТИР ва номи)
