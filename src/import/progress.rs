//! Progress of an import on standard error: a bar with rows per second and time remaining on a
//! terminal (indicatif), plain lines every few seconds otherwise, or nothing.

use std::io::IsTerminal as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A bar when standard error is a terminal, plain lines otherwise.
    Auto,
    Plain,
    Hidden,
}

/// How often a plain progress line is printed.
const PLAIN_INTERVAL: Duration = Duration::from_secs(5);

/// The scan reports every this many records (cheap enough per record otherwise).
const SCAN_STEP: u64 = 50_000;

/// Shared between the parsing thread and the writer.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    state: Mutex<PlainState>,
}

#[derive(Debug)]
struct PlainState {
    started: Instant,
    last_line: Instant,
    total: u64,
    first: u64,
    /// Records done at the last plain line, for the rate since then.
    last_done: u64,
}

impl Progress {
    pub fn new(mode: ProgressMode) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let (bar, plain) = match mode {
            ProgressMode::Auto if terminal => (Some(bar()), false),
            ProgressMode::Auto | ProgressMode::Plain => (None, true),
            ProgressMode::Hidden => (None, false),
        };
        let now = Instant::now();
        Self {
            bar,
            plain,
            state: Mutex::new(PlainState {
                started: now,
                last_line: now,
                total: 0,
                first: 0,
                last_done: 0,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, PlainState> {
        // A panic while holding this lock only loses progress output.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The first pass has read `records` records.
    pub fn scanned(&self, records: u64) {
        if !records.is_multiple_of(SCAN_STEP) {
            return;
        }
        if let Some(bar) = &self.bar {
            bar.set_message(format!("checking: {records} records read"));
        } else if self.plain {
            let mut state = self.state();
            if state.last_line.elapsed() >= PLAIN_INTERVAL {
                state.last_line = Instant::now();
                eprintln!("import: checking, {records} records read");
            }
        }
    }

    /// The second pass starts: `total` records, of which `done` were committed by an
    /// interrupted run.
    pub fn start_writing(&self, total: u64, done: u64) {
        let mut state = self.state();
        state.started = Instant::now();
        state.last_line = state.started;
        state.total = total;
        state.first = done;
        state.last_done = done;
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(done);
            bar.reset_eta();
            bar.set_message("importing");
        } else if self.plain {
            eprintln!("import: {total} records, starting at {done}");
        }
    }

    /// Records up to `done` are handled.
    pub fn written(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
            return;
        }
        if !self.plain {
            return;
        }
        let mut state = self.state();
        if state.last_line.elapsed() < PLAIN_INTERVAL && done < state.total {
            return;
        }
        let interval = state.last_line.elapsed().as_secs_f64().max(0.001);
        let recent = (done - state.last_done.min(done)) as f64 / interval;
        state.last_line = Instant::now();
        state.last_done = done;
        let seconds = state.started.elapsed().as_secs_f64().max(0.001);
        let rate = (done - state.first.min(done)) as f64 / seconds;
        let eta = if rate > 0.0 {
            (state.total.saturating_sub(done)) as f64 / rate
        } else {
            0.0
        };
        eprintln!(
            "import: {done}/{} records, {rate:.0} rows/s ({recent:.0} rows/s lately), \
             about {eta:.0} s left",
            state.total
        );
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_with_message("done");
        }
    }
}

fn bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} {per_sec} ETA {eta}")
            .map(|s| s.progress_chars("=> "));
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_progress_accepts_every_call() {
        let progress = Progress::new(ProgressMode::Hidden);
        progress.scanned(SCAN_STEP);
        progress.start_writing(10, 2);
        progress.written(10);
        progress.finish();
        assert!(progress.bar.is_none());
    }
}
