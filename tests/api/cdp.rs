//! A small Chrome DevTools Protocol client for the real-browser test: starts headless Chromium
//! with a fresh profile, connects to its browser WebSocket, and sends commands to one page
//! (flattened session), keeping the events that arrive meanwhile.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a command may take to be answered (the machine may be busy with other tests).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// How long one page evaluation may take before it counts as "not yet".
const EVALUATE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a command gave no result.
enum Failure {
    /// DevTools answered with a protocol error.
    Protocol(Value),
    /// No answer in time.
    NoAnswer,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Protocol(error) => write!(f, "{error}"),
            Self::NoAnswer => f.write_str("no answer in time"),
        }
    }
}

/// Where Debian installs Chromium; `PATH` is searched too.
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// The Chromium binary, if installed.
pub fn chromium() -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromium"))
            .find(|candidate| candidate.is_file())
    });
    from_path.or_else(|| {
        let default = PathBuf::from(DEFAULT_CHROMIUM);
        default.is_file().then_some(default)
    })
}

/// A running headless Chromium, killed when dropped.
pub struct Chromium {
    child: Child,
    _profile: tempfile::TempDir,
    /// `ws://127.0.0.1:PORT/devtools/browser/…`
    pub websocket_url: String,
}

impl Chromium {
    /// Starts Chromium with the flags these machines need (no sandbox as root, no network
    /// chatter) and waits for its DevTools endpoint.
    pub async fn launch(binary: &Path) -> Self {
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        let active_port = profile.path().join("DevToolsActivePort");
        let mut browser = Self {
            child,
            _profile: profile,
            websocket_url: String::new(),
        };
        for _ in 0..300 {
            if let Ok(text) = std::fs::read_to_string(&active_port) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    browser.websocket_url = format!("ws://127.0.0.1:{port}{path}");
                    return browser;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromium did not open its DevTools port");
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A DevTools connection driving one page.
pub struct Cdp {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// The flattened session of the page target.
    session: Option<String>,
    /// Events received while waiting for command answers.
    events: Vec<Value>,
}

impl Cdp {
    /// Connects to the browser and opens a new blank page to drive.
    pub async fn open_page(websocket_url: &str) -> Self {
        let (socket, _) = tokio_tungstenite::connect_async(websocket_url)
            .await
            .expect("connect to DevTools");
        let mut cdp = Self {
            socket,
            next_id: 0,
            session: None,
            events: Vec::new(),
        };
        let target = cdp
            .browser_call("Target.createTarget", json!({ "url": "about:blank" }))
            .await;
        let attached = cdp
            .browser_call(
                "Target.attachToTarget",
                json!({ "targetId": target["targetId"], "flatten": true }),
            )
            .await;
        cdp.session = attached["sessionId"].as_str().map(str::to_owned);
        cdp
    }

    /// A command to the page; panics on a protocol error.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(session.as_deref(), method, params, COMMAND_TIMEOUT)
            .await
            .unwrap_or_else(|error| panic!("{method}: {error}"))
    }

    /// A command to the browser itself.
    async fn browser_call(&mut self, method: &str, params: Value) -> Value {
        self.send(None, method, params, COMMAND_TIMEOUT)
            .await
            .unwrap_or_else(|error| panic!("{method}: {error}"))
    }

    /// Sends one command and waits (at most `within`) for its answer.
    async fn send(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
        within: Duration,
    ) -> Result<Value, Failure> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("send to DevTools");
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = self.receive(left).await.ok_or(Failure::NoAnswer)?;
            if message["id"].as_u64() == Some(id) {
                return match message.get("error") {
                    Some(error) => Err(Failure::Protocol(error.clone())),
                    None => Ok(message["result"].clone()),
                };
            }
            if message.get("method").is_some() {
                self.events.push(message);
            }
        }
    }

    /// Evaluates `expression` in the page (as if the citizen acted: user gesture), awaiting a
    /// promise; the value, or `None` when the page is between documents. An evaluation sent
    /// while a document is being replaced may never be answered: after `EVALUATE_TIMEOUT` it
    /// counts as `None` (a late answer is recognised by its id and dropped).
    pub async fn evaluate(&mut self, expression: &str) -> Option<Value> {
        let session = self.session.clone();
        let params = json!({
            "expression": expression,
            "returnByValue": true,
            "awaitPromise": true,
            "userGesture": true,
        });
        let result = self
            .send(
                session.as_deref(),
                "Runtime.evaluate",
                params,
                EVALUATE_TIMEOUT,
            )
            .await
            .ok()?;
        if result.get("exceptionDetails").is_some() {
            return None;
        }
        Some(result["result"]["value"].clone())
    }

    /// Waits (at most `seconds`) until `expression` is true in the page.
    pub async fn wait_for(&mut self, expression: &str, seconds: u64) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        while tokio::time::Instant::now() < deadline {
            if self.evaluate(expression).await == Some(Value::Bool(true)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let location = self.evaluate("location.href").await;
        let text = self
            .evaluate("document.body && document.body.innerText")
            .await;
        let events: Vec<String> = self
            .events
            .iter()
            .map(|e| format!("{} {}", e["method"], e["params"]["request"]["url"]))
            .collect();
        panic!(
            "timed out waiting for `{expression}` at {location:?}; page text: {text:?}; \
             events: {events:?}"
        );
    }

    /// Navigates the page to `url`.
    pub async fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url })).await;
    }

    /// Whether an event named `method` has been received and not yet taken.
    pub fn has_event(&self, method: &str) -> bool {
        self.events.iter().any(|e| e["method"] == method)
    }

    /// The next event named `method` (already received, or within `seconds`).
    pub async fn event(&mut self, method: &str, seconds: u64) -> Value {
        if let Some(at) = self.events.iter().position(|e| e["method"] == method) {
            return self.events.remove(at);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = self
                .receive(left)
                .await
                .unwrap_or_else(|| panic!("no `{method}` event within {seconds} s"));
            if message["method"] == method {
                return message;
            }
            if message.get("method").is_some() {
                self.events.push(message);
            }
        }
    }

    /// The next message from DevTools, or `None` when nothing came within `within`.
    async fn receive(&mut self, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let next = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()?
                .expect("DevTools connection open")
                .expect("DevTools message");
            if let Message::Text(text) = next {
                return Some(serde_json::from_str(text.as_str()).expect("DevTools JSON"));
            }
        }
    }
}
