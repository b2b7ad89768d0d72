// E-signature sign-in with the E-IMZO desktop app (CAPIWS over a local WebSocket).
// Without the app the page still works: the citizen pastes a signature made by any tool.
(function () {
  "use strict";
  var root = document.getElementById("esign");
  if (!root || !window.WebSocket) { return; }
  var challenge = root.getAttribute("data-challenge");
  var status = document.getElementById("esign-status");
  var panel = document.getElementById("esign-app");
  var select = document.getElementById("esign-key");
  var button = document.getElementById("esign-sign");
  var secure = window.location.protocol === "https:";
  var url = secure ? "wss://127.0.0.1:64443/service/cryptapi" : "ws://127.0.0.1:64646/service/cryptapi";
  var certificates = [];

  function say(text) { status.textContent = text; }

  // One request per socket, as the E-IMZO app expects.
  function call(plugin, name, args) {
    return new Promise(function (resolve, reject) {
      var socket;
      try { socket = new WebSocket(url); } catch (e) { reject(e); return; }
      socket.onerror = function () { reject(new Error("no app")); };
      socket.onopen = function () {
        socket.send(JSON.stringify({ plugin: plugin, name: name, arguments: args || [] }));
      };
      socket.onmessage = function (event) {
        socket.close();
        var reply;
        try { reply = JSON.parse(event.data); } catch (e) { reject(e); return; }
        if (reply.success) { resolve(reply); } else { reject(new Error(reply.reason || "failed")); }
      };
    });
  }

  call("pfx", "list_all_certificates").then(function (reply) {
    certificates = (reply.certificates || []).filter(function (c) {
      return /1\.2\.860\.3\.16\.1\.2=|PINFL=/.test(c.alias || "");
    });
    certificates.forEach(function (c, i) {
      var option = document.createElement("option");
      option.value = String(i);
      var cn = /CN=([^,]+)/.exec(c.alias || "");
      option.textContent = cn ? cn[1] : (c.name || c.alias);
      select.appendChild(option);
    });
    if (certificates.length > 0) { panel.hidden = false; } else { say(root.getAttribute("data-msg-no-app")); }
  }, function () {
    say(root.getAttribute("data-msg-no-app"));
  });

  button.addEventListener("click", function () {
    var c = certificates[Number(select.value)];
    if (!c) { return; }
    call("pfx", "load_key", [c.disk, c.path, c.name, c.alias]).then(function (loaded) {
      return call("pkcs7", "create_pkcs7", [btoa(challenge), loaded.keyId, "no"]);
    }).then(function (signed) {
      document.getElementById("pkcs7").value = signed.pkcs7_64;
      document.getElementById("esign-form").submit();
    }, function () {
      say(root.getAttribute("data-msg-failed"));
    });
  });
}());
