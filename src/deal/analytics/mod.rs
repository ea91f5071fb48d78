//! What a dashboard asks of the deals beyond a list: `dealGroups` (group-by with summaries),
//! `dealsTimeline` (periods of a date, each with its deals and totals) and `dealFunnel`
//! (stage-to-stage conversion and time in stage, from the stage history). Each answers in a
//! number of statements fixed by the request's shape, however many groups, periods or stages.

pub mod funnel;
pub mod groups;
pub mod timeline;
