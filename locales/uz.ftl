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
