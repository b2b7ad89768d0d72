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

## Passkeys: sign-in page (texts the browser script shows come through data- attributes)

login-or = or
login-passkey-button = Sign in with a passkey
login-passkey-required = This service asks you to sign in with a passkey.
login-second-factor-title = Confirm it is you
login-second-factor-intro = You signed in with your password. One more step: confirm with your passkey on this device, your phone or your security key.
login-second-factor-button = Confirm with your passkey
passkey-working = Follow the instructions from your browser or device…
passkey-unsupported = This browser cannot use passkeys. Sign in with your password, or use an up-to-date browser.
passkey-cancelled = The passkey request was cancelled or timed out. You can try again.
passkey-failed = The passkey could not be checked. Try again, or sign in with your password.
passkey-expired = This page has expired. Reload it and try again.
passkey-unknown = This passkey is not registered with Yagona ID. Sign in with your password and add it in My account.
passkey-already-registered = This passkey is already registered to your account.
passkey-default-name = Passkey

## Passkeys: My account

account-passkeys-heading = Passkeys
account-passkeys-intro = A passkey lets you sign in with your phone, your fingerprint or a security key instead of a password. Passkeys cannot be phished.
account-passkeys-none = You have no passkeys yet.
account-passkey-created = Added
account-passkey-last-used = Last used
account-passkey-never-used = Never
account-passkey-synced = Synced between your devices
account-passkey-device-bound = Kept on one device
account-passkey-name-label = Name
account-passkey-rename = Rename
account-passkey-remove = Remove
account-passkey-add = Add a passkey
account-passkey-new-name-label = Name for the new passkey
account-passkey-new-name-hint = For example “My phone” or “Office laptop”.
account-passkey-added = The passkey was added. Next time you can sign in with it.
account-passkey-renamed = The passkey was renamed.
account-passkey-removed = The passkey was removed.
account-passkey-last-method = This passkey cannot be removed: it is the only way to sign in to your account. Add another passkey first.
account-passkey-not-found = That passkey was not found. It may have been removed already.
account-second-factor-heading = Second factor
account-second-factor-explain = When this is on, a password alone is not enough: every sign-in is confirmed with one of your passkeys.
account-second-factor-status-on = A passkey is required after your password.
account-second-factor-status-off = A password alone is enough to sign in.
account-second-factor-enable = Require a passkey after my password
account-second-factor-disable = Stop requiring a passkey
account-second-factor-on = From now on, signing in needs a passkey after your password.
account-second-factor-off = A password alone is enough to sign in again.

## E-signature sign-in
esign-title = Sign in with your e-signature
esign-intro = Your e-signature key signs a one-time code from this page. Nothing else is signed, and the code expires in two minutes.
esign-no-app = The E-IMZO app was not found on this computer. You can sign the code with another tool and paste the signature below.
esign-app-failed = The E-IMZO app could not sign. Check your key and password, or paste a signature below.
esign-choose-key = Choose your key
esign-sign-with-app = Sign with E-IMZO
esign-manual-heading = Sign with another tool
esign-manual-intro = Sign exactly this code as an attached PKCS#7 signature:
esign-manual-hint = For example: openssl cms -sign -nodetach -binary -outform DER -signer cert.pem -inkey key.pem -in code.txt | base64 -w0
esign-field-signature = Signature (Base64)
esign-submit = Sign in
esign-use-password = Sign in with a password instead
esign-failed = The e-signature could not be accepted. Start again with a new code, or use another way to sign in.
login-esign-link = Sign in with an e-signature (E-IMZO)
scope-organization = Act for the organisation of your company e-signature (tax number and name)
