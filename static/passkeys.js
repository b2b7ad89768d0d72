// Yagona ID passkeys: the browser half of the WebAuthn ceremonies.
//
// Served as /static/passkeys.js (CSP script-src 'self'; no inline script). The page marks a
// container with id="passkey" and data- attributes: data-flow ("login", "second_factor" or
// "register"), data-csrf, data-request (sign-in pages) and the translated messages
// (data-msg-*). Every request to the provider is JSON with the CSRF token in X-CSRF-Token.
(function () {
  "use strict";

  var box = document.getElementById("passkey");
  if (!box) {
    return;
  }
  var button = document.getElementById("passkey-button");
  var statusLine = document.getElementById("passkey-status");
  var flow = box.dataset.flow;
  var conditional = null; // AbortController of a pending autofill request

  function say(key, isError) {
    var text = box.dataset["msg" + key.charAt(0).toUpperCase() + key.slice(1)];
    statusLine.textContent = text || box.dataset.msgFailed || "";
    statusLine.classList.toggle("passkey__status--error", Boolean(isError));
  }

  function webauthnAvailable() {
    return Boolean(window.PublicKeyCredential && navigator.credentials &&
      window.isSecureContext);
  }

  // base64url <-> bytes: the provider speaks base64url, WebAuthn speaks ArrayBuffers.
  function fromB64url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) {
      raw += String.fromCharCode(bytes[i]);
    }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeCredentialList(list) {
    return (list || []).map(function (item) {
      var copy = Object.assign({}, item);
      copy.id = fromB64url(item.id);
      return copy;
    });
  }

  function creationOptions(options) {
    var pk = Object.assign({}, options.publicKey);
    pk.challenge = fromB64url(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: fromB64url(pk.user.id) });
    pk.excludeCredentials = decodeCredentialList(pk.excludeCredentials);
    return pk;
  }

  function requestOptions(options) {
    var pk = Object.assign({}, options.publicKey);
    pk.challenge = fromB64url(pk.challenge);
    pk.allowCredentials = decodeCredentialList(pk.allowCredentials);
    return pk;
  }

  function registrationJSON(credential) {
    return {
      id: credential.id,
      rawId: toB64url(credential.rawId),
      type: credential.type,
      response: {
        attestationObject: toB64url(credential.response.attestationObject),
        clientDataJSON: toB64url(credential.response.clientDataJSON)
      },
      extensions: {}
    };
  }

  function assertionJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toB64url(credential.rawId),
      type: credential.type,
      response: {
        authenticatorData: toB64url(response.authenticatorData),
        clientDataJSON: toB64url(response.clientDataJSON),
        signature: toB64url(response.signature),
        userHandle: response.userHandle ? toB64url(response.userHandle) : null
      },
      extensions: {}
    };
  }

  // A refusal from the provider: its code picks the translated message.
  function ProviderError(code) {
    this.code = code;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRF-Token": box.dataset.csrf
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (json) {
        if (!response.ok) {
          throw new ProviderError(json.code || "failed");
        }
        return json;
      });
    });
  }

  function explain(error) {
    if (error instanceof ProviderError) {
      var byCode = {
        expired: "expired",
        csrf: "expired",
        signed_out: "expired",
        unknown_credential: "unknown",
        already_registered: "already"
      };
      say(byCode[error.code] || "failed", true);
    } else if (error && error.name === "AbortError") {
      return; // our own autofill request, replaced by the button's
    } else if (error && error.name === "NotAllowedError") {
      say("cancelled", true);
    } else if (error && error.name === "InvalidStateError") {
      say("already", true);
    } else {
      say("failed", true);
    }
    button.disabled = false;
  }

  function stopConditional() {
    if (conditional) {
      conditional.abort();
      conditional = null;
    }
  }

  // Sign-in (passwordless, autofill, or second factor): start, ask the authenticator,
  // finish, then go where the provider says (consent or back to the portal).
  function signIn(mode, signal) {
    var request = box.dataset.request;
    return post("/passkeys/login/start", { request: request, mode: mode })
      .then(function (started) {
        var query = { publicKey: requestOptions(started.options) };
        if (mode === "conditional") {
          query.mediation = "conditional";
          query.signal = signal;
        }
        return navigator.credentials.get(query).then(function (credential) {
          say("working", false);
          return post("/passkeys/login/finish", {
            request: request,
            mode: mode,
            ceremony: started.ceremony,
            credential: assertionJSON(credential)
          });
        });
      })
      .then(function (finished) {
        window.location.assign(finished.redirect);
      });
  }

  function register() {
    var nameField = document.getElementById("passkey-name");
    var name = nameField ? nameField.value : "";
    return post("/account/passkeys/register/start", {})
      .then(function (started) {
        return navigator.credentials.create({ publicKey: creationOptions(started.options) })
          .then(function (credential) {
            say("working", false);
            return post("/account/passkeys/register/finish", {
              ceremony: started.ceremony,
              name: name,
              credential: registrationJSON(credential)
            });
          });
      })
      .then(function (finished) {
        window.location.assign(finished.redirect);
      });
  }

  function onButton() {
    if (!webauthnAvailable()) {
      say("unsupported", true);
      return;
    }
    stopConditional();
    button.disabled = true;
    say("working", false);
    var run = flow === "register" ? register() :
      signIn(flow === "second_factor" ? "second_factor" : "modal");
    run.catch(explain);
  }

  // The browser's passkey autofill on the login field, when it supports it.
  function startAutofill() {
    if (flow !== "login" || !webauthnAvailable() ||
        typeof PublicKeyCredential.isConditionalMediationAvailable !== "function") {
      return;
    }
    PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (!available) {
        return;
      }
      conditional = new AbortController();
      signIn("conditional", conditional.signal).catch(function (error) {
        if (error && (error.name === "AbortError" || error.name === "NotAllowedError")) {
          return; // replaced by the button, or dismissed: nothing to say
        }
        explain(error);
      });
    });
  }

  button.addEventListener("click", onButton);
  if (!webauthnAvailable()) {
    say("unsupported", flow !== "login");
  } else {
    startAutofill();
  }
})();
