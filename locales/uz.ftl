# Yagona ID — oʻzbekcha (lotin yozuvi).
# Oʻ va gʻ harflarida U+02BB (ʻ), tutuq belgisida U+02BC (ʼ) ishlatiladi.
# Every message id here must exist in en.ftl, uz-Cyrl.ftl and ru.ftl too (a unit test checks).

## Layout

app-name = Yagona ID
tagline = Davlat xizmatlari uchun yagona kirish
skip-to-content = Asosiy mazmunga oʻtish
lang-switcher-label = Til
footer-text = Yagona ID — Oʻzbekiston Respublikasi davlat xizmatlari uchun yagona identifikatsiya tizimi.
footer-safety = Biz hech qachon parolingizni telefon, SMS yoki elektron pochta orqali soʻramaymiz.
form-error-heading = Xatolik yuz berdi
error-code-label = Xatolik kodi

## Sign-in page

login-title = Tizimga kirish
login-intro = «{ $client }» xizmatiga oʻtish uchun tizimga kiring.
login-field-login = Foydalanuvchi nomi, elektron pochta, telefon raqami yoki JSHSHIR
login-field-login-hint = JSHSHIR — 14 xonali shaxsiy identifikatsiya raqamingiz.
login-field-password = Parol
login-submit = Kirish

## Sign-in errors (the same text for an unknown login and a wrong password)

error-login-failed = Login yoki parol notoʻgʻri.
error-throttled = Urinishlar soni juda koʻp. Bir daqiqa kutib, qaytadan urinib koʻring.
error-login-required-fields = Login va parolni kiriting.

## Consent page

consent-title = Maʼlumotlaringizni ulashish
consent-intro = «{ $client }» quyidagi maʼlumotlarga ruxsat soʻramoqda:
consent-signed-in-as = Siz { $account } sifatida tizimga kirgansiz.
consent-explain = Ruxsat bersangiz, Yagona ID ushbu maʼlumotlarni «{ $client }» bilan ulashadi. Rad etsangiz, portalga qaytasiz va hech qanday maʼlumot ulashilmaydi.
consent-allow = Ruxsat berish
consent-deny = Rad etish

## What each scope gives a portal

scope-openid = Portal sizni taniy olishi uchun Yagona ID identifikatoringiz
scope-profile = Ismingiz va asosiy profil maʼlumotlaringiz
scope-email = Elektron pochta manzilingiz
scope-phone = Telefon raqamingiz
scope-pinfl = JSHSHIR (shaxsiy identifikatsiya raqamingiz)
scope-offline_access = Siz tizimda boʻlmaganingizda ham, ruxsatni bekor qilmaguningizcha, ushbu maʼlumotlardan foydalanish

## Error page

error-title = Nimadir notoʻgʻri ketdi
error-invalid-client = Ushbu portalning kirish havolasi yaroqsiz. Portalga qaytib, qaytadan urinib koʻring.
error-request-expired = Ushbu kirish sahifasining muddati tugagan. Portalga qaytib, qaytadan boshlang.
error-csrf = Shaklning muddati tugagan. Iltimos, qaytadan urinib koʻring.
error-bad-request = Soʻrovni bajarib boʻlmadi. Orqaga qaytib, qaytadan urinib koʻring.
error-not-found = Siz qidirayotgan sahifa mavjud emas. Manzilni tekshirib, qaytadan urinib koʻring.
error-internal = Kechirasiz, biz tomonda xatolik yuz berdi. Birozdan soʻng qaytadan urinib koʻring.
error-logout-invalid = Ushbu chiqish soʻrovi yaroqsiz. Portalga qaytib, u yerdan chiqing.

## Sign-out

logout-title = Tizimdan chiqish
logout-question = Yagona ID tizimidan chiqmoqchimisiz?
logout-requested-by = «{ $client }» sizni tizimdan chiqarishni soʻramoqda.
logout-explain = Bu ushbu qurilmadagi Yagona ID seansingizni yakunlaydi. Keyingi safar portal soʻraganda tizimga qaytadan kirishingiz kerak boʻladi.
logout-confirm = Ha, chiqish
logout-cancel = Yoʻq, tizimda qolish
signed-out-title = Siz tizimdan chiqdingiz
signed-out-message = Ushbu qurilmadagi Yagona ID seansingiz yakunlandi. Agar umumiy kompyuterdan foydalanayotgan boʻlsangiz, brauzerni ham yoping.

## Demo agency portal

demo-title = Namunaviy idora portali
demo-intro = Bu portal Yagona ID orqali kirishni sinab koʻrish uchun moʻljallangan namunaviy mijoz ilovasi boʻlib, uni Yagona ID tizimining oʻzi yuritadi. U maʼlumotlaringizni haqiqiy davlat portali qanday olsa, xuddi shunday oladi.
demo-sign-in = Yagona ID orqali kirish
demo-result-title = Siz namunaviy portalga kirdingiz
demo-result-intro = Portal Yagona ID tizimidan quyidagi maʼlumotlarni oldi.
demo-id-token-heading = ID token maʼlumotlari (claims)
demo-userinfo-heading = UserInfo javobi
demo-sign-out = Chiqish

## My account

account-title = Mening hisobim
account-welcome = Xush kelibsiz, { $name }!
account-details-heading = Maʼlumotlaringiz
account-field-name = Ism
account-field-username = Foydalanuvchi nomi
account-field-email = Elektron pochta
account-field-phone = Telefon
account-field-pinfl = JSHSHIR
account-not-provided = Koʻrsatilmagan
account-sign-out = Chiqish

## Passkeys: sign-in page (texts the browser script shows come through data- attributes)

login-or = yoki
login-passkey-button = Kirish kaliti bilan kirish
login-passkey-required = Bu xizmat kirish kaliti bilan kirishni soʻraydi.
login-second-factor-title = Bu sizligingizni tasdiqlang
login-second-factor-intro = Siz parol bilan kirdingiz. Yana bir qadam: shu qurilmadagi, telefoningizdagi yoki xavfsizlik kalitingizdagi kirish kaliti bilan tasdiqlang.
login-second-factor-button = Kirish kaliti bilan tasdiqlash
passkey-working = Brauzer yoki qurilmangiz koʻrsatmalariga amal qiling…
passkey-unsupported = Bu brauzer kirish kalitlari bilan ishlay olmaydi. Parol bilan kiring yoki yangilangan brauzerdan foydalaning.
passkey-cancelled = Kirish kaliti soʻrovi bekor qilindi yoki vaqti tugadi. Qaytadan urinib koʻrishingiz mumkin.
passkey-failed = Kirish kalitini tekshirib boʻlmadi. Qaytadan urinib koʻring yoki parol bilan kiring.
passkey-expired = Bu sahifaning vaqti tugagan. Sahifani yangilab, qaytadan urinib koʻring.
passkey-unknown = Bu kirish kaliti Yagona IDʼda roʻyxatdan oʻtmagan. Parol bilan kiring va uni «Mening hisobim» sahifasida qoʻshing.
passkey-already-registered = Bu kirish kaliti hisobingizga allaqachon qoʻshilgan.
passkey-default-name = Kirish kaliti

## Passkeys: My account

account-passkeys-heading = Kirish kalitlari
account-passkeys-intro = Kirish kaliti parol oʻrniga telefoningiz, barmoq izingiz yoki xavfsizlik kaliti bilan kirish imkonini beradi. Kirish kalitlarini fishing orqali oʻgʻirlab boʻlmaydi.
account-passkeys-none = Sizda hali kirish kaliti yoʻq.
account-passkey-created = Qoʻshilgan
account-passkey-last-used = Oxirgi foydalanish
account-passkey-never-used = Hech qachon
account-passkey-synced = Qurilmalaringiz orasida sinxronlanadi
account-passkey-device-bound = Bitta qurilmada saqlanadi
account-passkey-name-label = Nomi
account-passkey-rename = Nomini oʻzgartirish
account-passkey-remove = Oʻchirish
account-passkey-add = Kirish kalitini qoʻshish
account-passkey-new-name-label = Yangi kirish kaliti nomi
account-passkey-new-name-hint = Masalan, «Telefonim» yoki «Ishdagi noutbuk».
account-passkey-added = Kirish kaliti qoʻshildi. Keyingi safar u bilan kirishingiz mumkin.
account-passkey-renamed = Kirish kalitining nomi oʻzgartirildi.
account-passkey-removed = Kirish kaliti oʻchirildi.
account-passkey-last-method = Bu kirish kalitini oʻchirib boʻlmaydi: u hisobingizga kirishning yagona usuli. Avval boshqa kirish kalitini qoʻshing.
account-passkey-not-found = Bu kirish kaliti topilmadi. Ehtimol, u allaqachon oʻchirilgan.
account-second-factor-heading = Ikkinchi omil
account-second-factor-explain = Yoqilganda faqat parolning oʻzi yetarli boʻlmaydi: har bir kirish kirish kalitlaringizdan biri bilan tasdiqlanadi.
account-second-factor-status-on = Paroldan keyin kirish kaliti talab qilinadi.
account-second-factor-status-off = Kirish uchun parolning oʻzi yetarli.
account-second-factor-enable = Paroldan keyin kirish kalitini talab qilish
account-second-factor-disable = Kirish kalitini talab qilmaslik
account-second-factor-on = Bundan buyon kirish uchun paroldan keyin kirish kaliti kerak boʻladi.
account-second-factor-off = Kirish uchun yana parolning oʻzi yetarli.

## E-signature sign-in
esign-title = Elektron imzo bilan kirish
esign-intro = Elektron imzo kalitingiz shu sahifadagi bir martalik kodni imzolaydi. Boshqa hech narsa imzolanmaydi, kod ikki daqiqa amal qiladi.
esign-no-app = Bu kompyuterda E-IMZO ilovasi topilmadi. Kodni boshqa dastur bilan imzolab, imzoni quyiga joylashingiz mumkin.
esign-app-failed = E-IMZO ilovasi kodni imzolay olmadi. Kalit va parolni tekshiring yoki imzoni quyiga joylang.
esign-choose-key = Kalitingizni tanlang
esign-sign-with-app = E-IMZO bilan imzolash
esign-manual-heading = Boshqa dastur bilan imzolash
esign-manual-intro = Aynan shu kodni biriktirilgan PKCS#7 imzosi bilan imzolang:
esign-manual-hint = Masalan: openssl cms -sign -nodetach -binary -outform DER -signer cert.pem -inkey key.pem -in code.txt | base64 -w0
esign-field-signature = Imzo (Base64)
esign-submit = Kirish
esign-use-password = Parol bilan kirish
esign-failed = Elektron imzo qabul qilinmadi. Yangi kod bilan qaytadan boshlang yoki boshqa usul bilan kiring.
login-esign-link = Elektron imzo bilan kirish (E-IMZO)
scope-organization = Kompaniya elektron imzongizdagi tashkilot nomidan ish yuritish (STIR va nomi)
