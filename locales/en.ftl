# Yagona ID — English.
# Every message id here must exist in uz.ftl, uz-Cyrl.ftl and ru.ftl too (a unit test checks).
# Texts are plain text: the templates escape them, so never put HTML in a message.

## Layout

app-name = Yagona ID
tagline = One sign-in for public services
skip-to-content = Skip to main content
lang-switcher-label = Language
footer-text = Yagona ID is the single sign-on service for the public services of the Republic of Uzbekistan.
footer-safety = We will never ask for your password by phone, text message or email.
form-error-heading = There is a problem
error-code-label = Error code

## Sign-in page

login-title = Sign in
login-intro = Sign in to continue to { $client }.
login-field-login = Username, email, phone or PINFL
login-field-login-hint = PINFL is your 14-digit personal identification number.
login-field-password = Password
login-submit = Sign in

## Sign-in errors (the same text for an unknown login and a wrong password)

error-login-failed = The login or password is incorrect.
error-throttled = Too many attempts. Wait a minute and try again.
error-login-required-fields = Enter your login and password.

## Consent page

consent-title = Share your details
consent-intro = { $client } is asking for access to:
consent-signed-in-as = You are signed in as { $account }.
consent-explain = If you allow, Yagona ID will share these details with { $client }. If you deny, you will go back to the portal and nothing will be shared.
consent-allow = Allow
consent-deny = Deny

## What each scope gives a portal

scope-openid = Your Yagona ID identifier, so the portal can recognise you
scope-profile = Your name and basic profile details
scope-email = Your email address
scope-phone = Your phone number
scope-pinfl = Your PINFL (personal identification number)
scope-offline_access = Access to these details even when you are not signed in, until you withdraw it

## Error page

error-title = Something went wrong
error-invalid-client = This portal’s sign-in link is not valid. Go back to the portal and try again.
error-request-expired = This sign-in page has expired. Go back to the portal and start again.
error-csrf = The form has expired. Please try again.
error-bad-request = The request could not be processed. Go back and try again.
error-not-found = The page you are looking for does not exist. Check the address and try again.
error-internal = Sorry, something went wrong on our side. Please try again later.
error-logout-invalid = This sign-out request is not valid. Go back to the portal and sign out from there.

## Sign-out

logout-title = Sign out
logout-question = Do you want to sign out of Yagona ID?
logout-requested-by = { $client } has asked to sign you out.
logout-explain = This ends your Yagona ID session on this device. The next time a portal asks, you will need to sign in again.
logout-confirm = Yes, sign out
logout-cancel = No, stay signed in
signed-out-title = You have been signed out
signed-out-message = Your Yagona ID session on this device has ended. If you are using a shared computer, close the browser too.

## Demo agency portal

demo-title = Demo agency portal
demo-intro = This portal is a demonstration relying party, run by Yagona ID itself so that you can try signing in. It receives your details exactly as a real government portal would.
demo-sign-in = Sign in with Yagona ID
demo-result-title = You are signed in to the demo portal
demo-result-intro = This is what the portal received from Yagona ID.
demo-id-token-heading = ID token claims
demo-userinfo-heading = UserInfo response
demo-sign-out = Sign out

## My account

account-title = My account
account-welcome = Welcome, { $name }.
account-details-heading = Your details
account-field-name = Name
account-field-username = Username
account-field-email = Email
account-field-phone = Phone
account-field-pinfl = PINFL
account-not-provided = Not provided
account-sign-out = Sign out
