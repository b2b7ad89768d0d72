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

## Passkeys: sign-in page (texts the browser script shows come through data- attributes)

login-or = или
login-passkey-button = Войти с ключом доступа
login-passkey-required = Этот сервис просит войти с ключом доступа.
login-second-factor-title = Подтвердите, что это вы
login-second-factor-intro = Вы вошли с паролем. Остался один шаг: подтвердите вход ключом доступа на этом устройстве, телефоне или ключе безопасности.
login-second-factor-button = Подтвердить ключом доступа
passkey-working = Следуйте указаниям браузера или устройства…
passkey-unsupported = Этот браузер не поддерживает ключи доступа. Войдите с паролем или воспользуйтесь обновлённым браузером.
passkey-cancelled = Запрос ключа доступа отменён или время ожидания истекло. Можно попробовать ещё раз.
passkey-failed = Не удалось проверить ключ доступа. Попробуйте ещё раз или войдите с паролем.
passkey-expired = Срок действия страницы истёк. Обновите её и попробуйте ещё раз.
passkey-unknown = Этот ключ доступа не зарегистрирован в Yagona ID. Войдите с паролем и добавьте его в личном кабинете.
passkey-already-registered = Этот ключ доступа уже добавлен в вашу учётную запись.
passkey-default-name = Ключ доступа

## Passkeys: My account

account-passkeys-heading = Ключи доступа
account-passkeys-intro = Ключ доступа позволяет входить с телефона, по отпечатку пальца или с ключом безопасности вместо пароля. Ключи доступа нельзя украсть фишингом.
account-passkeys-none = У вас пока нет ключей доступа.
account-passkey-created = Добавлен
account-passkey-last-used = Последнее использование
account-passkey-never-used = Ни разу
account-passkey-synced = Синхронизируется между вашими устройствами
account-passkey-device-bound = Хранится на одном устройстве
account-passkey-name-label = Название
account-passkey-rename = Переименовать
account-passkey-remove = Удалить
account-passkey-add = Добавить ключ доступа
account-passkey-new-name-label = Название нового ключа доступа
account-passkey-new-name-hint = Например, «Мой телефон» или «Рабочий ноутбук».
account-passkey-added = Ключ доступа добавлен. В следующий раз можно войти с ним.
account-passkey-renamed = Ключ доступа переименован.
account-passkey-removed = Ключ доступа удалён.
account-passkey-last-method = Этот ключ доступа нельзя удалить: это единственный способ войти в вашу учётную запись. Сначала добавьте другой ключ доступа.
account-passkey-not-found = Ключ доступа не найден. Возможно, он уже удалён.
account-second-factor-heading = Второй фактор
account-second-factor-explain = Когда эта настройка включена, одного пароля недостаточно: каждый вход подтверждается одним из ваших ключей доступа.
account-second-factor-status-on = После пароля требуется ключ доступа.
account-second-factor-status-off = Для входа достаточно пароля.
account-second-factor-enable = Требовать ключ доступа после пароля
account-second-factor-disable = Не требовать ключ доступа
account-second-factor-on = Теперь для входа после пароля нужен ключ доступа.
account-second-factor-off = Для входа снова достаточно пароля.

## E-signature sign-in
esign-title = Вход с электронной подписью
esign-intro = Ваш ключ электронной подписи подписывает одноразовый код с этой страницы. Больше ничего не подписывается, код действует две минуты.
esign-no-app = Приложение E-IMZO на этом компьютере не найдено. Можно подписать код другой программой и вставить подпись ниже.
esign-app-failed = Приложению E-IMZO не удалось подписать код. Проверьте ключ и пароль или вставьте подпись ниже.
esign-choose-key = Выберите ключ
esign-sign-with-app = Подписать через E-IMZO
esign-manual-heading = Подписать другой программой
esign-manual-intro = Подпишите ровно этот код присоединённой подписью PKCS#7:
esign-manual-hint = Например: openssl cms -sign -nodetach -binary -outform DER -signer cert.pem -inkey key.pem -in code.txt | base64 -w0
esign-field-signature = Подпись (Base64)
esign-submit = Войти
esign-use-password = Войти по паролю
esign-failed = Электронную подпись не удалось принять. Начните заново с новым кодом или выберите другой способ входа.
login-esign-link = Войти с электронной подписью (E-IMZO)
scope-organization = Действовать от имени организации из вашей подписи (ИНН и название)
