//! `ti attendance import`'s work against the bulk sends alone: a 5,000-row Zoom per-join report
//! whose people are a meeting's 2,000 registered attendees is read, planned (at least 30 minutes,
//! the others marked absent) and sent, against sending the same attended and absent ids with
//! `bulk_update_meeting_attendance` alone, both against the mock with 100 ms latency per request,
//! in the same run. The goal: read + plan + send within 1.1x the sends alone.
//!
//! `cargo bench -p thoughtindustries-attendance-import --bench import` runs both under criterion.
//! With `TI_BENCH_SUMMARY=1` it runs them alternately (5 rounds), prints the medians and the
//! ratio as tab-separated `import` lines, and also times the meeting's detail request that the
//! command makes first.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use criterion::Criterion;
use serde_json::json;
use thoughtindustries::{ApiKey, Attendance, Client};
use thoughtindustries_attendance_import::{Options, Plan, Roster, Rule, parse_report, plan};
use thoughtindustries_mock::{DEMO_TOKEN, Faults, Latency, MockConfig, MockServer, Tenant};
use uuid::Uuid;

/// Registered attendees of the meeting.
const ATTENDEES: usize = 2_000;
/// Rows of the report.
const ROWS: usize = 5_000;
/// Latency the mock adds to every request.
const LATENCY: Duration = Duration::from_millis(100);

fn meeting_id() -> Uuid {
    Uuid::from_u128(0xbe0c_0000_0000_4000_8000_0000_0000_0001)
}

fn email(k: usize) -> String {
    format!("learner.{k:04}@example.com")
}

/// One meeting with `ATTENDEES` registered users, 09:00 to 10:00.
fn tenant() -> Tenant {
    let attendees: Vec<serde_json::Value> = (0..ATTENDEES)
        .map(|k| {
            json!({"id": Uuid::from_u128(k as u128 + 1), "email": email(k), "name": format!("Learner {k}")})
        })
        .collect();
    let course = Uuid::from_u128(0xbe0c_0000_0000_4000_8000_0000_0000_0002);
    Tenant::from_meetings(vec![json!({
        "id": meeting_id(),
        "title": "Benchmark session",
        "courseId": course,
        "course": {"id": course, "title": "Benchmarks"},
        "startDate": "2024-05-14T09:00:00.000Z",
        "endDate": "2024-05-14T10:00:00.000Z",
        "attendees": attendees,
    })])
}

/// A Zoom per-join export of `ROWS` rows: every attendee has two or three joins (a rejoin, or a
/// second device at the same time), addresses in mixed case; 20 rows are guests.
fn report() -> Vec<u8> {
    let mut csv = String::from(
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n",
    );
    let time = |minute: usize| {
        let (h, m) = (9 + minute / 60, minute % 60);
        let (h12, ampm) = if h >= 12 {
            (h - 12 + 12 * usize::from(h == 12), "PM")
        } else {
            (h, "AM")
        };
        format!("05/14/2024 {h12:02}:{m:02}:00 {ampm}")
    };
    let mut rows = 0;
    let mut k = 0;
    while rows < ROWS - 20 {
        let person = k % ATTENDEES;
        let address = if k % 3 == 0 {
            email(person).to_uppercase()
        } else {
            email(person)
        };
        let start = person % 30;
        let length = 5 + person % 25;
        let join = start + (k / ATTENDEES) * 30;
        let _ = writeln!(
            csv,
            "Learner {person},{address},{},{},{length},No",
            time(join),
            time((join + length).min(59))
        );
        rows += 1;
        k += 1;
    }
    for g in 0..20 {
        let _ = writeln!(csv, "Guest {g},,{},{},10,Yes", time(0), time(10));
    }
    csv.into_bytes()
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .build()
        .expect("client builds")
}

async fn send(client: &Client, attended: Vec<Uuid>, absent: Vec<Uuid>) {
    for (attendance, users) in [
        (Attendance::Attended, attended),
        (Attendance::Absent, absent),
    ] {
        if users.is_empty() {
            continue;
        }
        let count = users.len();
        let result = client
            .bulk_update_meeting_attendance(meeting_id(), attendance, users)
            .send()
            .await
            .expect("bulk update succeeds");
        assert_eq!(result.updated_record_count as usize, count);
    }
}

fn make_plan(bytes: &[u8], roster: &Roster) -> Plan {
    let report = parse_report(bytes).expect("the report reads");
    assert_eq!(report.rows, ROWS);
    let options = Options::new(Rule::MinMinutes(30.0)).mark_absent(true);
    plan(&report.people, roster, &options).expect("a plan")
}

/// Read, plan and send; the wall time.
async fn import(client: &Client, bytes: &[u8], roster: &Roster) -> Duration {
    let start = Instant::now();
    let plan = make_plan(bytes, roster);
    send(client, plan.attended(), plan.absent()).await;
    start.elapsed()
}

/// The same sends alone; the wall time.
async fn sends_alone(client: &Client, attended: &[Uuid], absent: &[Uuid]) -> Duration {
    let start = Instant::now();
    send(client, attended.to_vec(), absent.to_vec()).await;
    start.elapsed()
}

async fn setup() -> (MockServer, Client, Vec<u8>, Roster) {
    let server = MockServer::start(MockConfig {
        tenant: tenant(),
        faults: Faults {
            latency: Some(Latency::Fixed(LATENCY)),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .expect("mock starts");
    let client = client(&server);
    let meeting = client
        .get_meeting(meeting_id())
        .await
        .expect("detail")
        .expect("the meeting exists");
    let roster = Roster::from_meeting(&meeting);
    assert_eq!(roster.attendees().len(), ATTENDEES);
    (server, client, report(), roster)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

async fn summary() {
    let (_server, client, bytes, roster) = setup().await;
    let plan = make_plan(&bytes, &roster);
    let (attended, absent) = (plan.attended(), plan.absent());
    assert_eq!(attended.len() + absent.len(), ATTENDEES);
    let (mut imports, mut alone, mut details, mut planning) = (vec![], vec![], vec![], vec![]);
    for _ in 0..5 {
        alone.push(sends_alone(&client, &attended, &absent).await);
        imports.push(import(&client, &bytes, &roster).await);
        let start = Instant::now();
        make_plan(&bytes, &roster);
        planning.push(start.elapsed());
        let start = Instant::now();
        client.get_meeting(meeting_id()).await.expect("detail");
        details.push(start.elapsed());
    }
    let (import, alone) = (median(imports), median(alone));
    println!(
        "import\tread+plan+send\t{}\tsends alone\t{}\tratio\t{:.3}",
        import.as_millis(),
        alone.as_millis(),
        import.as_secs_f64() / alone.as_secs_f64()
    );
    let (planning, detail) = (median(planning), median(details));
    println!(
        "import\tread+plan\t{:.1}\tdetail request\t{}\twith the detail: ratio\t{:.3}",
        planning.as_secs_f64() * 1e3,
        detail.as_millis(),
        (import + detail).as_secs_f64() / alone.as_secs_f64()
    );
    println!(
        "import\tplan\t{} attended\t{} absent\t{} requests",
        attended.len(),
        absent.len(),
        attended.len().div_ceil(100) + absent.len().div_ceil(100)
    );
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    if std::env::var_os("TI_BENCH_SUMMARY").is_some() {
        runtime.block_on(summary());
        return;
    }
    let (_server, client, bytes, roster) = runtime.block_on(setup());
    let plan = make_plan(&bytes, &roster);
    let (attended, absent) = (plan.attended(), plan.absent());
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group(format!(
        "import/{ROWS}-rows-{ATTENDEES}-attendees-{}ms",
        LATENCY.as_millis()
    ));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(8));
    group.bench_function("sends alone", |b| {
        b.to_async(&runtime).iter_custom(|iters| {
            let (client, attended, absent) = (client.clone(), attended.clone(), absent.clone());
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += sends_alone(&client, &attended, &absent).await;
                }
                total
            }
        });
    });
    group.bench_function("read+plan+send", |b| {
        b.to_async(&runtime).iter_custom(|iters| {
            let (client, bytes, roster) = (client.clone(), bytes.clone(), roster.clone());
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += import(&client, &bytes, &roster).await;
                }
                total
            }
        });
    });
    group.finish();
    criterion.final_summary();
}
