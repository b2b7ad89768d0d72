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
