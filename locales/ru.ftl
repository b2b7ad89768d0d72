# Yagona ID — русский.
# Every message id here must exist in en.ftl, uz.ftl and uz-Cyrl.ftl too (a unit test checks).

## Layout

app-name = Yagona ID
tagline = Единый вход для государственных услуг
skip-to-content = Перейти к основному содержанию
lang-switcher-label = Язык
footer-text = Yagona ID — система единой идентификации для государственных услуг Республики Узбекистан.
footer-safety = Мы никогда не спрашиваем ваш пароль по телефону, в SMS или по электронной почте.
form-error-heading = Возникла проблема
error-code-label = Код ошибки

## Sign-in page

login-title = Вход
login-intro = Войдите, чтобы продолжить в сервисе «{ $client }».
login-field-login = Имя пользователя, эл. почта, телефон или ПИНФЛ
login-field-login-hint = ПИНФЛ — ваш 14-значный персональный идентификационный номер.
login-field-password = Пароль
login-submit = Войти

## Sign-in errors (the same text for an unknown login and a wrong password)

error-login-failed = Неверный логин или пароль.
error-throttled = Слишком много попыток. Подождите минуту и попробуйте снова.
error-login-required-fields = Введите логин и пароль.

## Consent page

consent-title = Передача ваших данных
consent-intro = Сервис «{ $client }» запрашивает доступ к следующим данным:
consent-signed-in-as = Вы вошли как { $account }.
consent-explain = Если вы разрешите, Yagona ID передаст эти данные сервису «{ $client }». Если откажете, вы вернётесь на портал, и никакие данные не будут переданы.
consent-allow = Разрешить
consent-deny = Отказать

## What each scope gives a portal

scope-openid = Ваш идентификатор Yagona ID, чтобы портал мог вас узнать
scope-profile = Ваше имя и основные данные профиля
scope-email = Ваш адрес электронной почты
scope-phone = Ваш номер телефона
scope-pinfl = Ваш ПИНФЛ (персональный идентификационный номер)
scope-offline_access = Доступ к этим данным, даже когда вы не в системе, пока вы его не отзовёте

## Error page

error-title = Что-то пошло не так
error-invalid-client = Ссылка для входа на этот портал недействительна. Вернитесь на портал и попробуйте снова.
error-request-expired = Срок действия этой страницы входа истёк. Вернитесь на портал и начните заново.
error-csrf = Срок действия формы истёк. Пожалуйста, попробуйте снова.
error-bad-request = Не удалось обработать запрос. Вернитесь назад и попробуйте снова.
error-not-found = Страница, которую вы ищете, не существует. Проверьте адрес и попробуйте снова.
error-internal = Извините, на нашей стороне произошла ошибка. Попробуйте позже.
error-logout-invalid = Этот запрос на выход недействителен. Вернитесь на портал и выйдите оттуда.

## Sign-out

logout-title = Выход
logout-question = Выйти из Yagona ID?
logout-requested-by = Сервис «{ $client }» запрашивает ваш выход из системы.
logout-explain = Это завершит ваш сеанс Yagona ID на этом устройстве. Когда портал попросит войти в следующий раз, вам нужно будет войти снова.
logout-confirm = Да, выйти
logout-cancel = Нет, остаться в системе
signed-out-title = Вы вышли из системы
signed-out-message = Ваш сеанс Yagona ID на этом устройстве завершён. Если вы пользуетесь общим компьютером, закройте также браузер.

## Demo agency portal

demo-title = Демонстрационный портал ведомства
demo-intro = Этот портал — демонстрационное клиентское приложение, которое обслуживает сам Yagona ID, чтобы вы могли попробовать войти. Он получает ваши данные точно так же, как настоящий государственный портал.
demo-sign-in = Войти через Yagona ID
demo-result-title = Вы вошли на демонстрационный портал
demo-result-intro = Вот что портал получил от Yagona ID.
demo-id-token-heading = Утверждения ID-токена (claims)
demo-userinfo-heading = Ответ UserInfo
demo-sign-out = Выйти

## My account

account-title = Личный кабинет
account-welcome = Добро пожаловать, { $name }!
account-details-heading = Ваши данные
account-field-name = Имя
account-field-username = Имя пользователя
account-field-email = Электронная почта
account-field-phone = Телефон
account-field-pinfl = ПИНФЛ
account-not-provided = Не указано
account-sign-out = Выйти
