//! What can happen to the app ([`Action`]: user intents and arriving data) and the work the app
//! asks the loop to do in return ([`Effect`]).

use crate::source::SourceUpdate;

/// Something that changes the model. Keys become actions in `keymap`; sources and the clock send
/// theirs through the loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The clock ticked; `wall` is the wall-clock Unix time in seconds.
    Tick {
        /// Wall-clock Unix time, seconds.
        wall: f64,
    },
    /// A source delivered data or an error.
    Source(SourceUpdate),
    /// Updates that arrived together (the loop takes all that wait), applied as one: the
    /// SLO faults, the conductor and the fetch plan are followed once after all of them, not
    /// after each (a replay's release is some thirty updates).
    Sources(Vec<SourceUpdate>),
    /// The terminal changed size.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// Leave capcom.
    Quit,
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrev,
    /// Focus the pane under a mouse click.
    FocusAt {
        /// Column clicked.
        column: u16,
        /// Row clicked.
        row: u16,
    },
    /// Go one level deeper from the focused pane.
    DrillIn,
    /// Go one level back (or close help).
    DrillOut,
    /// Show the focused pane full screen, or the whole dashboard again.
    ToggleZoom,
    /// Pause the time conductor, or follow now again.
    TogglePause,
    /// Show a longer time window.
    WindowWider,
    /// Show a shorter time window.
    WindowNarrower,
    /// Move the window back in time (pauses).
    ScrubBack,
    /// Move the window forward in time.
    ScrubForward,
    /// Follow now again.
    GoLive,
    /// Type a time to pause the conductor at, or fixed bounds for its window.
    JumpToTime,
    /// A replay: show its original recorded times, or shifted to now again.
    ToggleOriginalTime,
    /// Select the next row in the focused pane.
    SelectNext,
    /// Select the previous row in the focused pane.
    SelectPrev,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Start typing the Events pane's local filter.
    Filter,
    /// Start typing the server-side query the events tail uses.
    EditQuery,
    /// Open the trace behind the selected event.
    OpenTrace,
    /// A fault's detail: chart its rule's expression over the last hour.
    ChartAlert,
    /// Traces: switch the order between newest and longest first.
    ToggleSort,
    /// Waterfall: hide the selected span's children (or go to its parent).
    Collapse,
    /// Waterfall: show the selected span's children.
    Expand,
    /// Waterfall: hide or show the selected span's children.
    ToggleCollapse,
    /// Waterfall or span: the events carrying the trace's id.
    TraceEvents,
    /// Faults: acknowledge the selected fault (asks a comment).
    Acknowledge,
    /// Faults: shelve the selected fault for a while (asks how long, then a comment).
    Shelve,
    /// Faults: undo capcom's shelf or acknowledgement of the selected fault.
    Undo,
    /// Faults: list the next set (not shelved, unacknowledged, acknowledged, shelved, all).
    CycleFilter,
    /// Notebook: write a note stamped with the conductor's time and the focused pane.
    AddNote,
    /// Notebook: list its entries (`Enter` jumps the conductor to one).
    OpenNotebook,
    /// Export what is focused: a chart or the path as PNG and SVG, a table as CSV, the events
    /// as NDJSON, a trace as Jaeger and OTLP JSON.
    Export,
    /// Copy the selected trace id, event id or query to the clipboard (OSC 52).
    Copy,
    /// Show (and copy) the link to the selection in its web UI: Jaeger UI, Prometheus' graph
    /// page, OpenSearch Dashboards.
    ShowLink,
    /// Type a `PromQL` query drawn as a temporary chart over the conductor's window.
    AdHocQuery,
    /// List each source's full last error.
    OpenErrors,
    /// Why: compare the SLO, fault or window in view with the time before it (what the
    /// failing traces share, where their time goes, new log patterns, metrics that moved).
    Why,
    /// Select the first row of the list in focus.
    SelectFirst,
    /// Select the last row of the list in focus.
    SelectLast,
    /// Move the selection a page down.
    PageDown,
    /// Move the selection a page up.
    PageUp,
    /// The mouse wheel turned over a list: move its selection.
    Wheel {
        /// Column of the mouse.
        column: u16,
        /// Row of the mouse.
        row: u16,
        /// Toward the newer / lower rows.
        down: bool,
    },
    /// A character typed into the line being edited.
    TextInput(char),
    /// Move the cursor of the line being edited one character left.
    TextLeft,
    /// Move the cursor one character right.
    TextRight,
    /// Move the cursor to the start of the line.
    TextHome,
    /// Move the cursor to the end of the line.
    TextEnd,
    /// Delete from the start of the line to the cursor (Ctrl-U).
    TextKillLine,
    /// Delete the word before the cursor (Ctrl-W).
    TextKillWord,
    /// The line typed before this one (a prompt's history).
    TextHistoryPrev,
    /// The line typed after this one.
    TextHistoryNext,
    /// Delete the last character of the line being edited.
    TextBackspace,
    /// Apply the line being edited.
    TextCommit,
    /// Drop the line being edited.
    TextCancel,
    /// The note being typed: attach the screen as text, or not (`Ctrl-S`).
    NoteScreen,
    /// Say this in the status bar until the next key (the loop's word about an effect it could
    /// not carry out).
    ShowNotice(String),
}

/// Work for the loop, returned by `App::update`, which does no I/O itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Restore the terminal and exit.
    Quit,
    /// Restart the events tail with this server-side query.
    SetEventQuery(String),
    /// Show the events up to this end (the conductor paused before what the pane holds), or
    /// follow the tail again with `None`.
    EventsUntil(Option<f64>),
    /// Replay on this clock from now on (a replay switched to or from its original times):
    /// send again, re-timed, everything display time has reached.
    ReTime(crate::source::recording::ReplayClock),
    /// Run this trace search from now on.
    SearchTraces(crate::model::traces::TraceQuery),
    /// Fetch the trace with this id.
    FetchTrace(String),
    /// What the live pollers should fetch changed (size, window, pause, zoom, focus, time).
    PlanChanged(crate::source::prometheus::poller::Plan),
    /// Create or expire an Alertmanager silence (acknowledge, shelve, or undo either). Never
    /// carried out in read-only mode.
    WriteSilence(crate::model::fault::SilenceWrite),
    /// Run this `PromQL` in the runtime query slot (`App::chart_slot`) from now on, or nothing
    /// with `None`.
    ChartQuery(Option<String>),
    /// Put this text on the clipboard: the loop writes it to the terminal as OSC 52. The app
    /// only asks for text without control characters.
    Clipboard(String),
    /// Keep these ad-hoc queries (oldest first) as the history the next run starts with.
    SaveQueryHistory(Vec<String>),
    /// Append this entry to the notebook's file, with the frame drawn as text first when
    /// `screen`; the loop answers `SourceUpdate::NoteWritten`.
    WriteNote {
        /// The entry.
        entry: Box<crate::model::notebook::Entry>,
        /// Attach the screen as it is drawn now.
        screen: bool,
    },
    /// Render and write this export (`e`) off the loop, in the export folder.
    Export(Box<crate::export::Request>),
    /// Gather and analyse this Why request off the loop; the answer comes back as
    /// `SourceUpdate::WhyAnalysed`.
    Why(Box<crate::source::why::Request>),
}
