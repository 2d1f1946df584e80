//! The deterministic synthetic tenant: courses, users and venues generated once from a seed,
//! meetings generated on demand from `(seed, index)`.
//!
//! Memory stays bounded for large tenants: courses, a pool of users and the venues are built and
//! serialized once; each meeting is rebuilt when a page needs it, from its own random stream, so a
//! tenant of 100,000 meetings keeps only a few bytes per meeting (its index in its course's list
//! and the counts behind the aggregations).

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use serde_json::json;
use thoughtindustries_models::{
    AllocatedLearningPath, AllocatedLicense, AwardClaimingOption, Client, Course, CourseGroup,
    CourseKind, CourseStatus, DateRange, InPersonEventInfo, ItemPrice, LearningPath, Lesson,
    License, LicenseRole, Location, PriceVariation, PurchasedCourse, RecommendedTag, SeatPackage,
    SeatTier, Section, User, WaitlistedCourse, WebinarBlock,
};
use uuid::Uuid;

use crate::page::{
    ObjectWriter, PageWriter, Window, course_aggregation, time_zone_aggregation, write_json,
};
use crate::rng::{ALNUM, DIGITS, LOWER, Rng};
use crate::vocabulary::{
    ATTENDEE_INFO, BIOS, COMPANIES, COURSE_TOPICS, DEPARTMENTS, FIRST_NAMES, LANGUAGES, LAST_NAMES,
    ROLE_KEYS, SESSION_TITLES, TIME_ZONES, VENUES,
};

/// How to generate a synthetic tenant.
///
/// The same options always produce the same tenant, byte for byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SyntheticOptions {
    /// Seed of every random choice.
    pub seed: u64,
    /// Number of courses (at least 1 is used when there are meetings).
    pub courses: usize,
    /// Number of meetings (at most `u32::MAX`).
    pub meetings: usize,
}

impl Default for SyntheticOptions {
    /// Seed 1, 8 courses, 120 meetings (five pages of 25).
    fn default() -> Self {
        Self {
            seed: 1,
            courses: 8,
            meetings: 120,
        }
    }
}

// Independent random streams.
const STREAM_COURSE: u64 = 1;
const STREAM_USER: u64 = 2;
const STREAM_VENUE: u64 = 3;
const STREAM_SHAPE: u64 = 4;
const STREAM_MEETING: u64 = 5;
const STREAM_INSTRUCTOR: u64 = 6;
const STREAM_CLIENT: u64 = 7;

/// Instructors of a tenant.
const INSTRUCTORS: usize = 12;
/// Meeting durations, in minutes.
const DURATIONS: &[i64] = &[45, 60, 60, 90, 90, 120, 180, 240, 480];

/// Where the meetings of a course take place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    InPerson,
    Online,
    Hybrid,
}

/// One generated course: what meetings need to know, and its serialized object.
struct SyntheticCourse {
    id: Uuid,
    title: Option<String>,
    mode: Mode,
    home_venue: usize,
    instructors: Vec<usize>,
    json: Box<[u8]>,
}

/// A person who teaches.
struct Instructor {
    name: String,
    email: String,
}

/// What aggregations and filters need to know of a meeting, derived cheaply from its index.
struct Shape {
    course: usize,
    venue: Option<usize>,
    zone: Option<usize>,
}

/// A generated tenant.
pub(crate) struct Synthetic {
    seed: u64,
    meetings: usize,
    base: DateTime<Utc>,
    spacing_minutes: i64,
    courses: Vec<SyntheticCourse>,
    instructors: Vec<Instructor>,
    users: Vec<Box<[u8]>>,
    venues: Vec<(Uuid, Box<[u8]>)>,
    by_course: Vec<Vec<u32>>,
    /// Per course: meetings per time zone, and at the last index those without one.
    zones_by_course: Vec<Vec<u64>>,
}

impl Synthetic {
    pub(crate) fn new(options: SyntheticOptions) -> Self {
        let seed = options.seed;
        let meetings = options.meetings.min(u32::MAX as usize);
        let course_count = if meetings > 0 {
            options.courses.max(1)
        } else {
            options.courses
        };
        let base = Utc
            .with_ymd_and_hms(2024, 1, 8, 14, 0, 0)
            .single()
            .expect("a valid fixed date");
        // Spread the meetings over about a year, at least half an hour apart.
        let spacing_minutes = (525_600 / meetings.max(1) as i64).max(30) / 15 * 15;

        let instructors = (0..INSTRUCTORS)
            .map(|k| {
                let mut rng = Rng::derive(seed, STREAM_INSTRUCTOR, k as u64);
                let first = *rng.pick(FIRST_NAMES);
                let last = *rng.pick(LAST_NAMES);
                Instructor {
                    name: format!("{first} {last}"),
                    email: format!("{}.{}@academy.example.com", ascii(first), ascii(last)),
                }
            })
            .collect::<Vec<_>>();
        let venues = (0..VENUES.len())
            .map(|v| {
                let location = venue_location(seed, v);
                let id = location.id.expect("venues have ids");
                let mut json = Vec::new();
                write_json(&mut json, &location);
                (id, json.into_boxed_slice())
            })
            .collect::<Vec<_>>();

        let mut tenant = Self {
            seed,
            meetings,
            base,
            spacing_minutes,
            courses: Vec::new(),
            instructors,
            users: Vec::new(),
            venues,
            by_course: vec![Vec::new(); course_count],
            zones_by_course: vec![vec![0; TIME_ZONES.len() + 1]; course_count],
        };
        tenant.courses = (0..course_count)
            .map(|c| tenant.course(c, course_count))
            .collect();
        let course_ids: Vec<Uuid> = tenant.courses.iter().map(|c| c.id).collect();
        let user_count = (meetings / 3).clamp(40, 2000);
        tenant.users = (0..user_count)
            .map(|u| {
                let mut json = Vec::new();
                write_json(&mut json, &user(seed, u, base, &course_ids));
                json.into_boxed_slice()
            })
            .collect();
        for index in 0..meetings {
            let shape = tenant.shape(index);
            tenant.by_course[shape.course].push(index as u32);
            let zone = shape.zone.unwrap_or(TIME_ZONES.len());
            tenant.zones_by_course[shape.course][zone] += 1;
        }
        tenant
    }

    /// The pool of users attendees are drawn from, as JSON.
    pub(crate) fn users(&self) -> Vec<serde_json::Value> {
        self.users
            .iter()
            .filter_map(|json| serde_json::from_slice(json).ok())
            .collect()
    }

    /// The sample meeting ([`crate::SAMPLE_MEETING_ID`]), in the first course; none without
    /// courses.
    pub(crate) fn sample_meeting(&self) -> Option<serde_json::Value> {
        let course = serde_json::from_slice(&self.courses.first()?.json).ok()?;
        Some(crate::sample::sample_meeting(course))
    }

    /// Number of meetings.
    pub(crate) fn len(&self) -> usize {
        self.meetings
    }

    /// Ids of the courses, in generation order.
    pub(crate) fn course_ids(&self) -> Vec<Uuid> {
        self.courses.iter().map(|c| c.id).collect()
    }

    /// The meetings of the result set: all of them, or those of one course.
    fn selection(&self, course_id: Option<Uuid>) -> Selection {
        match course_id {
            None => Selection::All,
            Some(id) => match self.courses.iter().position(|c| c.id == id) {
                Some(c) => Selection::Course(c),
                None => Selection::Nothing,
            },
        }
    }

    /// Number of meetings in the result set.
    pub(crate) fn total(&self, course_id: Option<Uuid>) -> usize {
        match self.selection(course_id) {
            Selection::All => self.meetings,
            Selection::Course(c) => self.by_course[c].len(),
            Selection::Nothing => 0,
        }
    }

    /// Renders one page.
    pub(crate) fn page(
        &self,
        page: u64,
        per_page: usize,
        course_id: Option<Uuid>,
        force_has_more: bool,
    ) -> Vec<u8> {
        let selection = self.selection(course_id);
        let window = Window::new(page, per_page, self.total(course_id));
        let courses: Vec<usize> = match selection {
            Selection::All => (0..self.courses.len()).collect(),
            Selection::Course(c) => vec![c],
            Selection::Nothing => Vec::new(),
        };
        let mut zones = vec![0u64; TIME_ZONES.len() + 1];
        for &c in &courses {
            for (sum, n) in zones.iter_mut().zip(&self.zones_by_course[c]) {
                *sum += n;
            }
        }
        let aggregations = [
            course_aggregation(courses.iter().map(|&c| {
                let course = &self.courses[c];
                (
                    course.id,
                    course.title.as_deref(),
                    self.by_course[c].len() as u64,
                )
            })),
            time_zone_aggregation(
                TIME_ZONES.iter().copied().zip(zones.iter().copied()),
                zones[TIME_ZONES.len()],
            ),
        ];
        let mut writer = PageWriter::begin(
            &window,
            force_has_more || window.has_more(),
            &aggregations,
            (window.end - window.start) * 6_000 + 4_096,
        );
        for position in window.start..window.end {
            let index = match selection {
                Selection::Course(c) => self.by_course[c][position] as usize,
                _ => position,
            };
            self.write_meeting(writer.next_meeting(), index);
        }
        writer.finish()
    }

    fn shape(&self, index: usize) -> Shape {
        let mut rng = Rng::derive(self.seed, STREAM_SHAPE, index as u64);
        let n = self.courses.len();
        // The smaller of two draws: low-numbered courses have more meetings.
        let course = rng.index(n).min(rng.index(n));
        let home = &self.courses[course];
        let physical = match home.mode {
            Mode::InPerson => rng.percent(95),
            Mode::Online => false,
            Mode::Hybrid => rng.percent(50),
        };
        let venue = physical.then(|| {
            if rng.percent(80) {
                home.home_venue
            } else {
                rng.index(VENUES.len())
            }
        });
        let zone = if rng.percent(6) {
            None
        } else {
            Some(venue.map_or_else(|| rng.index(TIME_ZONES.len()), |v| VENUES[v].time_zone))
        };
        Shape {
            course,
            venue,
            zone,
        }
    }

    fn write_meeting(&self, out: &mut Vec<u8>, index: usize) {
        #[cfg(test)]
        tests::WRITTEN.with(|written| written.set(written.get() + 1));
        let shape = self.shape(index);
        let course = &self.courses[shape.course];
        let mut rng = Rng::derive(self.seed, STREAM_MEETING, index as u64);
        let start = self.base + Duration::minutes(index as i64 * self.spacing_minutes);
        let end = start + Duration::minutes(*rng.pick(DURATIONS));

        let mut meeting = ObjectWriter::new(out);
        meeting.value("id", &rng.uuid());
        if rng.percent(7) {
            meeting.null("title");
        } else {
            let pattern = rng.pick(SESSION_TITLES);
            let title = pattern.replace("{n}", &rng.range(1, 12).to_string());
            meeting.value("title", &title);
        }
        meeting.value("courseId", &course.id);
        meeting.raw("course", &course.json);
        let as_null = rng.percent(50);
        match shape.venue {
            Some(v) => {
                let (id, json) = &self.venues[v];
                meeting.value("locationId", id);
                meeting.raw("location", json);
                meeting.missing("joinUrl", as_null);
            }
            None => {
                meeting.missing("locationId", as_null);
                meeting.missing("location", as_null);
                meeting.value("joinUrl", &join_url(&mut rng));
            }
        }
        match rng.below(10) {
            0..4 => meeting.value("attendeeInfo", rng.pick(ATTENDEE_INFO)),
            4..8 => meeting.null("attendeeInfo"),
            _ => {}
        }
        match rng.below(100) {
            0..5 => meeting.null("instructors"),
            5..8 => meeting.value::<[&str]>("instructors", &[]),
            _ => {
                let mut names: Vec<&str> = course
                    .instructors
                    .iter()
                    .map(|&k| self.instructors[k].name.as_str())
                    .collect();
                if rng.percent(15) {
                    names.push(&self.instructors[rng.index(INSTRUCTORS)].name);
                    names.dedup();
                }
                meeting.value("instructors", &names);
            }
        }
        meeting.value("startDate", &start);
        meeting.value("endDate", &end);
        match shape.zone {
            Some(zone) => meeting.value("timeZone", TIME_ZONES[zone]),
            None => meeting.null("timeZone"),
        }
        if rng.percent(8) {
            meeting.null("attendees");
        } else {
            let count = rng.range(0, 5) as usize;
            let first = rng.index(self.users.len());
            let step = 1 + rng.index(self.users.len() - 1);
            let out = meeting.raw_start("attendees");
            out.push(b'[');
            for k in 0..count.min(self.users.len()) {
                if k > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(&self.users[(first + k * step) % self.users.len()]);
            }
            out.push(b']');
        }
        meeting.finish();
    }

    fn course(&self, c: usize, course_count: usize) -> SyntheticCourse {
        let seed = self.seed;
        let mut rng = Rng::derive(seed, STREAM_COURSE, c as u64);
        let topics = COURSE_TOPICS.len();
        let topic = COURSE_TOPICS[(c + (seed % topics as u64) as usize) % topics];
        let cohort = c / topics + 1;
        let kind = weighted(
            &mut rng,
            &[
                (CourseKind::InPersonEventCourse, 25),
                (CourseKind::WebinarCourse, 25),
                (CourseKind::InPersonEvent, 10),
                (CourseKind::Webinar, 15),
                (CourseKind::MicroCourse, 10),
                (CourseKind::Video, 5),
                (CourseKind::Article, 3),
                (CourseKind::CourseGroup, 3),
                (CourseKind::ShareableContentObject, 2),
                (CourseKind::XApiObject, 2),
            ],
        );
        let mode = match kind {
            CourseKind::InPersonEvent | CourseKind::InPersonEventCourse => Mode::InPerson,
            CourseKind::Webinar | CourseKind::WebinarCourse => Mode::Online,
            _ => Mode::Hybrid,
        };
        let cohort_title = format!("{topic} — Cohort {cohort}");
        let full_title = if matches!(mode, Mode::Hybrid) && cohort == 1 {
            topic.to_owned()
        } else {
            cohort_title
        };
        // A few courses have no title (nullable in the vendor's schema); never in tiny tenants.
        let title = (course_count < 10 || !rng.percent(3)).then_some(full_title.clone());
        let slug = slugify(&full_title);
        let status = weighted(
            &mut rng,
            &[
                (CourseStatus::Published, 75),
                (CourseStatus::Draft, 8),
                (CourseStatus::Pending, 5),
                (CourseStatus::Archived, 5),
                (CourseStatus::Authoring, 3),
                (CourseStatus::LoginRestriction, 2),
                (CourseStatus::Deleted, 2),
            ],
        );
        let id = rng.uuid();
        let home_venue = rng.index(VENUES.len());
        let instructors: Vec<usize> = {
            let first = rng.index(INSTRUCTORS);
            if rng.percent(40) {
                vec![
                    first,
                    (first + 1 + rng.index(INSTRUCTORS - 1)) % INSTRUCTORS,
                ]
            } else {
                vec![first]
            }
        };

        let created = self.base - Duration::days(rng.range(30, 700) as i64);
        let updated = created + Duration::days(rng.range(0, 29) as i64);
        let course_start = self.base + Duration::days(rng.range(0, 30) as i64);
        let course_end = course_start + Duration::days(rng.range(14, 120) as i64);
        let price = *rng.pick(&[0i64, 4_900, 9_900, 19_900, 49_900, 129_900]);
        let eur = rng.percent(30);
        let mut prices = vec![model!(ItemPrice {
            id: Some(rng.uuid().to_string()),
            currency_code: Some("USD".into()),
            price_in_cents: Some(price),
            variations: (price > 0 && rng.percent(30)).then(|| {
                vec![model!(PriceVariation {
                    label: Some("Early bird".into()),
                    price_in_cents: Some(price * 8 / 10),
                })]
            }),
        })];
        if eur {
            prices.push(model!(ItemPrice {
                id: Some(rng.uuid().to_string()),
                currency_code: Some("EUR".into()),
                price_in_cents: Some(price * 92 / 100),
                variations: None,
            }));
        }
        let seats_limit = rng.range(12, 200) as i64;
        let seats_used = rng.range(0, seats_limit as u64) as i64;
        let waitlisting = rng.percent(40);
        let full = seats_used >= seats_limit;
        let bulk = rng.percent(30);
        let recurring = matches!(
            kind,
            CourseKind::InPersonEventCourse | CourseKind::WebinarCourse
        );
        let sessions = rng.range(4, 10);
        let day = *rng.pick(&[("TU", "Tuesday"), ("WE", "Wednesday"), ("TH", "Thursday")]);
        let sections = (0..rng.range(2, 4))
            .map(|s| {
                let theme = [
                    "Foundations",
                    "Core Concepts",
                    "Practice Lab",
                    "Case Studies",
                ][s as usize];
                model!(Section {
                    id: Some(rng.uuid().to_string()),
                    slug: Some(format!("{slug}-{}", slugify(theme))),
                    title: Some(format!("Module {}: {theme}", s + 1)),
                    status: Some("published".into()),
                    release_at: None,
                    parent_section_id: None,
                    lessons: Some(
                        ["Overview", "Key Ideas", "Worked Example", "Knowledge Check"]
                            [..rng.range(2, 4) as usize]
                            .iter()
                            .map(|lesson| model!(Lesson {
                                id: Some(rng.uuid().to_string()),
                                slug: Some(format!("{slug}-{}-{}", s + 1, slugify(lesson))),
                                title: Some((*lesson).to_owned()),
                                access_level: Some("studentsOnly".into()),
                                section: None,
                                slug_or_id: None,
                                topic_outline: None,
                                topics: None,
                                extra: Default::default(),
                            }))
                            .collect(),
                    ),
                    extra: Default::default(),
                })
            })
            .collect::<Vec<_>>();
        let sample_lesson = sections[0]
            .lessons
            .as_ref()
            .and_then(|lessons| lessons.first())
            .filter(|_| rng.percent(30))
            .cloned();
        let webinar = mode == Mode::Online;
        let webinar_dates: Vec<DateRange> = (0..sessions.min(3))
            .map(|w| {
                let start = course_start + Duration::weeks(w as i64);
                model!(DateRange {
                    start_date: Some(start),
                    end_date: Some(start + Duration::minutes(90)),
                })
            })
            .collect();
        let home = &VENUES[home_venue];
        let in_person = mode == Mode::InPerson;
        let in_group = rng.percent(20);
        let group_title = "Leadership Academy";

        let course =
            model!(Course {
            id: Some(id),
            created_at: Some(created),
            updated_at: Some(updated),
            slug: Some(slug.clone()),
            status: Some(status.clone()),
            title: title.clone(),
            session_is_titled: Some(rng.percent(60)),
            sample_lesson_id: sample_lesson.as_ref().and_then(|lesson| lesson.id.clone()),
            sample_lesson: sample_lesson,
            sections: Some(sections),
            appearance_block: Some(rng.uuid().to_string()),
            appearance_hash: Some(rng.string(b"0123456789abcdef", 12)),
            paywalls_block: rng.percent(50).then(|| rng.uuid().to_string()),
            terms_block: rng.percent(30).then(|| rng.uuid().to_string()),
            confirmation_block: rng.percent(30).then(|| rng.uuid().to_string()),
            course_start_date: Some(course_start),
            course_end_date: Some(course_end),
            enrollment_start_date: Some(course_start - Duration::days(30)),
            enrollment_end_date: Some(course_start + Duration::days(7)),
            grace_period_end_date: rng.percent(30).then(|| course_end + Duration::days(14)),
            seats_limit: Some(seats_limit),
            waitlist_count: Some(if waitlisting && full {
                rng.range(1, 25) as i64
            } else {
                0
            }),
            seats_limit_met: Some(full),
            waitlisting_enabled: Some(waitlisting),
            waitlisting_triggered: Some(waitlisting && full),
            taxable: Some(price > 0 && rng.percent(50)),
            purchasable: Some(price > 0),
            tax_category: (price > 0).then(|| format!("txcd_{}", rng.string(DIGITS, 8))),
            fulfillment_center: None,
            course_group: in_group.then(|| model!(CourseGroup {
                id: Some(Rng::derive(seed, STREAM_COURSE, u64::MAX).uuid().to_string()),
                slug: Some(slugify(group_title)),
                title: Some(group_title.into()),
                kind: Some(CourseKind::CourseGroup),
                extra: Default::default(),
            })),
            course_group_title: in_group.then(|| group_title.into()),
            syllabus_titles_enabled: Some(true),
            gallery_enabled: Some(rng.percent(20)),
            workbook_enabled: Some(rng.percent(30)),
            linked_workbook_enabled: Some(false),
            linked_workbook_skip_enabled: Some(false),
            superquiz_enabled: Some(rng.percent(10)),
            discussions_enabled: Some(rng.percent(60)),
            resources_enabled: Some(rng.percent(70)),
            meetings_overview_enabled: Some(true),
            recurrence_rule: recurring
                .then(|| format!("FREQ=WEEKLY;BYDAY={};COUNT={sessions}", day.0)),
            recurrence: recurring.then(|| {
                json!({"frequency": "weekly", "interval": 1, "count": sessions, "byDay": [day.0]})
            }),
            readable_recurrence_string: recurring
                .then(|| format!("Weekly on {}, {sessions} sessions", day.1)),
            instructor_access_enabled: Some(false),
            instructor_emails: Some(
                instructors
                    .iter()
                    .map(|&k| self.instructors[k].email.clone())
                    .collect(),
            ),
            free_with_registration: Some(price == 0),
            price_in_cents: Some(price),
            instructor_access_price_in_cents: None,
            suggested_retail_price_in_cents: (price > 0).then_some(price + price / 5),
            alternative_pricing_type: None,
            alternative_pricing_ref: None,
            access_days: Some(*rng.pick(&[30, 90, 180, 365])),
            show_progress: Some(true),
            annotations_enabled: Some(rng.percent(30)),
            force_linear_progress: Some(rng.percent(40)),
            completion_time_per_page: None,
            ask_learner_password: Some(false),
            roster: Some(in_person),
            topic_group_id: None,
            sku: Some(format!("{}-{}", initials(topic), 100 + c)),
            prerequisite_courses: Some(Vec::new()),
            prerequisite_learning_paths: Some(Vec::new()),
            parent_course_id: None,
            is_child: Some(false),
            has_multiple_currencies: Some(eur),
            prices: Some(prices),
            enrollment_active: Some(status == CourseStatus::Published),
            waitlist_active: Some(waitlisting && full),
            webinar_dates: webinar.then(|| webinar_dates.clone()),
            webinar_time_zone: webinar.then(|| (*rng.pick(TIME_ZONES)).to_owned()),
            meetings: None,
            in_person_event_info: in_person.then(|| model!(InPersonEventInfo {
                hero_asset: Some(format!(
                    "https://images.example.com/courses/{}.jpg",
                    id.simple()
                )),
                subtitle: Some(format!("Live at {}, {}", home.name, home.city)),
            })),
            current_user_has_access: Some(false),
            location: in_person.then(|| venue_location(seed, home_venue)),
            display_map: Some(in_person),
            publish_date: (status == CourseStatus::Published).then(|| updated + Duration::days(1)),
            is_active: Some(status == CourseStatus::Published),
            future_publish_date: None,
            balance_requirement: None,
            award_claiming_options: rng.percent(15).then(|| {
                vec![model!(AwardClaimingOption {
                    award_amounts: Some(vec![1.5]),
                    award_type: Some("CPE Credits".into()),
                    award_type_id: Some(rng.uuid().to_string()),
                    range: Some(false),
                })]
            }),
            availability_status: Some("available".into()),
            embedded_enabled: Some(false),
            display_results: Some(true),
            bulk_purchasing_enabled: Some(bulk),
            seat_tiers: bulk.then(|| {
                vec![
                    model!(SeatTier {
                        seats: Some(10),
                        price_in_cents: Some(price * 9 / 10),
                    }),
                    model!(SeatTier {
                        seats: Some(50),
                        price_in_cents: Some(price * 3 / 4),
                    }),
                ]
            }),
            seat_packages: bulk.then(|| {
                vec![
                    model!(SeatPackage { seats: Some(5) }),
                    model!(SeatPackage { seats: Some(25) }),
                ]
            }),
            last_tier_price_in_cents: bulk.then_some(price * 3 / 4),
            webinar_id: webinar.then(|| format!("8{}", rng.string(DIGITS, 10))),
            has_children: Some(kind == CourseKind::CourseGroup),
            custom_fields: Some(json!({
                "level": *rng.pick(&["Beginner", "Intermediate", "Advanced"]),
                "creditHours": rng.range(1, 12),
            })),
            kind: Some(kind),
            roster_submitted_date: None,
            final_assessment: None,
            scorm_collect_user_details: Some(false),
            seats_used_count: Some(seats_used),
            seats_allocated_count: Some(seats_used + rng.range(0, 5) as i64),
            webinar_details: webinar.then(|| model!(WebinarBlock {
                id: Some(rng.uuid().to_string()),
                webinar_provider: Some("zoom".into()),
                join_url: Some(format!("https://zoom.us/j/{}", rng.string(DIGITS, 11))),
                recurrence: None,
                webinar_dates: Some(webinar_dates),
                extra: Default::default(),
            })),
            show_syllabus_while_unenrolled: Some(true),
            topic_group: None,
            current_user_due_date: None,
        });
        let mut json = Vec::new();
        write_json(&mut json, &course);
        SyntheticCourse {
            id,
            title,
            mode,
            home_venue,
            instructors,
            json: json.into_boxed_slice(),
        }
    }
}

/// The meetings a request selects.
#[derive(Clone, Copy)]
enum Selection {
    /// Every meeting.
    All,
    /// The meetings of the course at this index.
    Course(usize),
    /// None (a course id the tenant does not have).
    Nothing,
}

/// The location object of venue `v`.
fn venue_location(seed: u64, v: usize) -> Location {
    let venue = &VENUES[v];
    let mut rng = Rng::derive(seed, STREAM_VENUE, v as u64);
    model!(Location {
        id: Some(rng.uuid()),
        name: Some(venue.name.into()),
        room: venue.room.map(Into::into),
        address1: Some(venue.address1.into()),
        address2: venue.address2.map(Into::into),
        city: Some(venue.city.into()),
        state: venue.state.map(Into::into),
        zip_code: venue.zip_code.map(Into::into),
        country: Some(venue.country.into()),
        time_zone: Some(TIME_ZONES[venue.time_zone].into()),
    })
}

/// User `u` of the tenant's pool.
fn user(seed: u64, u: usize, base: DateTime<Utc>, course_ids: &[Uuid]) -> User {
    let mut rng = Rng::derive(seed, STREAM_USER, u as u64);
    let first = *rng.pick(FIRST_NAMES);
    let last = *rng.pick(LAST_NAMES);
    let company_index = rng.index(COMPANIES.len());
    let (company, domain) = COMPANIES[company_index];
    let client = model!(Client {
        id: Some(Rng::derive(seed, STREAM_CLIENT, company_index as u64).uuid()),
        name: Some(company.into()),
        slug: Some(slugify(company)),
        extra: Default::default(),
    });
    let home = &VENUES[rng.index(VENUES.len())];
    let id = rng.uuid();
    let role = *rng.pick(ROLE_KEYS);
    let created = base - Duration::days(rng.range(10, 900) as i64);
    let initial = |name: &str| name.chars().next().map(String::from).unwrap_or_default();
    let completed = rng.range(0, 6) as i64;
    let started = completed + rng.range(0, 4) as i64;
    let purchases = if course_ids.is_empty() {
        0
    } else {
        rng.range(0, 2)
    };
    let purchased: Vec<PurchasedCourse> = (0..purchases)
        .map(|_| {
            let done = rng.percent(40);
            model!(PurchasedCourse {
                course_id: Some(*rng.pick(course_ids)),
                status: Some(if done { "completed" } else { "started" }.into()),
                course: None,
                certificate: done.then(|| {
                    format!(
                        "https://certificates.example.com/{}.pdf",
                        rng.string(ALNUM, 16)
                    )
                }),
                certificate_issued_at: done.then(|| created + Duration::days(30)),
            })
        })
        .collect();
    let license = rng.percent(40).then(|| {
        model!(License {
            id: Some(
                Rng::derive(seed, STREAM_CLIENT, 1_000 + company_index as u64)
                    .uuid()
                    .to_string(),
            ),
            name: Some(format!("{company} Annual License")),
            extra: Default::default(),
        })
    });
    model!(User {
        id: Some(id),
        email: Some(format!("{}.{}@{domain}", ascii(first), ascii(last))),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        name: Some(format!("{first} {last}")),
        abbreviated_name: Some(format!("{first} {}.", initial(last))),
        first_initial: Some(initial(first)),
        last_initial: Some(initial(last)),
        asset: rng
            .percent(70)
            .then(|| format!("https://images.example.com/avatars/{}.jpg", id.simple())),
        last_active_at: rng
            .percent(85)
            .then(|| base - Duration::hours(rng.range(1, 2_000) as i64)),
        bio: rng.percent(30).then(|| (*rng.pick(BIOS)).to_owned()),
        two_factor_enabled: Some(rng.percent(25)),
        invited_by_name: rng.percent(20).then(|| format!(
            "{} {}",
            rng.pick(FIRST_NAMES),
            rng.pick(LAST_NAMES)
        )),
        should_highlight: Some(rng.percent(5)),
        purchased_courses: Some(purchased),
        purchased_bundles: None,
        allocated_licenses: license.as_ref().map(|license| {
            vec![model!(AllocatedLicense {
                license_id: license.id.clone(),
                license_role: Some(if role == "manager" {
                    LicenseRole::Manager
                } else {
                    LicenseRole::Student
                }),
                license: Some(license.clone()),
                status: Some("active".into()),
            })]
        }),
        active_license: license,
        allocated_learning_paths: rng.percent(20).then(|| {
            let path_id = Rng::derive(seed, STREAM_CLIENT, 2_000).uuid();
            vec![model!(AllocatedLearningPath {
                learning_path_id: Some(path_id.to_string()),
                learning_path: Some(model!(LearningPath {
                    id: Some(path_id.to_string()),
                    slug: Some("sales-onboarding-path".into()),
                    name: Some("Sales Onboarding Path".into()),
                    extra: Default::default(),
                })),
                status: Some("inProgress".into()),
            })]
        }),
        attended_meetings: None,
        waitlisted_courses: (!course_ids.is_empty() && rng.percent(10)).then(|| {
            vec![model!(WaitlistedCourse {
                course_id: Some(*rng.pick(course_ids)),
                course: None,
            })]
        }),
        admin_clients: (role == "manager").then(|| vec![client.clone()]),
        role_key: Some(role.into()),
        address1: Some(format!("{} Market Street", rng.range(1, 999))),
        address2: rng.percent(30).then(|| format!("Apt {}", rng.range(1, 40))),
        city: Some(home.city.into()),
        state: home.state.map(Into::into),
        zip_code: home.zip_code.map(Into::into),
        country: Some(home.country.into()),
        telephone: rng
            .percent(60)
            .then(|| format!("+1 555-01{}", rng.string(DIGITS, 2))),
        stripe_customer_id: rng
            .percent(70)
            .then(|| format!("cus_{}", rng.string(ALNUM, 14))),
        external_customer_id: rng
            .percent(50)
            .then(|| format!("CRM-{}", rng.string(DIGITS, 6))),
        created_at: Some(created),
        updated_at: Some(created + Duration::days(rng.range(0, 300) as i64)),
        sf_account_id: rng
            .percent(60)
            .then(|| format!("001{}", rng.string(ALNUM, 15))),
        sf_contact_id: rng
            .percent(60)
            .then(|| format!("003{}", rng.string(ALNUM, 15))),
        shipping_name: None,
        client_id: client.id,
        client: Some(client),
        ref1: rng
            .percent(30)
            .then(|| format!("EMP-{}", rng.string(DIGITS, 5))),
        lang: Some((*rng.pick(LANGUAGES)).to_owned()),
        preferred_currency: Some((*rng.pick(&["USD", "USD", "EUR", "GBP"])).to_owned()),
        custom_fields: Some(json!({
            "department": *rng.pick(DEPARTMENTS),
            "costCenter": format!("CC-{}", rng.string(DIGITS, 4)),
        })),
        recommended_tags: Some(vec![model!(RecommendedTag {
            boost: Some(0.75),
            label: Some(rng.string(LOWER, 1) + "-track"),
        })]),
        recommended_slugs: Some(Vec::new()),
        accessed_flows: Some(vec!["onboarding".into()]),
        disabled: Some(rng.percent(3)),
        learner_user_id: None,
        manager_user_id: rng.percent(30).then(|| rng.uuid()),
        balance: Some(if rng.percent(20) { 25.5 } else { 0.0 }),
        must_verify_email: Some(false),
        certificates_count: Some(completed / 2),
        collaborations_count: Some(rng.range(0, 3) as i64),
        available_courses_count: Some(course_ids.len() as i64),
        started_courses_count: Some(started),
        completed_courses_count: Some(completed)
    })
}

/// An online meeting's join URL at one of the usual providers.
fn join_url(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => format!(
            "https://zoom.us/j/{}?pwd={}",
            rng.string(DIGITS, 11),
            rng.string(ALNUM, 32)
        ),
        1 => format!(
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_{}%40thread.v2/0",
            rng.string(ALNUM, 40)
        ),
        _ => format!(
            "https://meet.google.com/{}-{}-{}",
            rng.string(LOWER, 3),
            rng.string(LOWER, 4),
            rng.string(LOWER, 3)
        ),
    }
}

/// One of `choices`, with probability proportional to its weight.
fn weighted<T: Clone>(rng: &mut Rng, choices: &[(T, u64)]) -> T {
    let total: u64 = choices.iter().map(|(_, w)| w).sum();
    let mut pick = rng.below(total);
    for (choice, weight) in choices {
        if pick < *weight {
            return choice.clone();
        }
        pick -= weight;
    }
    unreachable!("the pick is below the sum of the weights")
}

/// Lower-case ASCII letters of a name, for email addresses.
fn ascii(name: &str) -> String {
    name.chars()
        .flat_map(|c| match c {
            'ü' => vec!['u', 'e'],
            'ö' => vec!['o', 'e'],
            'ä' => vec!['a', 'e'],
            'é' | 'è' => vec!['e'],
            'ã' | 'á' => vec!['a'],
            c if c.is_ascii_alphanumeric() => vec![c.to_ascii_lowercase()],
            _ => Vec::new(),
        })
        .collect()
}

/// A URL slug: lower-case ASCII words joined by hyphens.
fn slugify(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .map(ascii)
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Upper-case initials of up to three words, for SKUs.
fn initials(text: &str) -> String {
    text.split_whitespace()
        .filter_map(|word| word.chars().next())
        .filter(char::is_ascii_alphabetic)
        .take(3)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// How many meetings this thread rendered: the laziness test's witness.
        pub(super) static WRITTEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    #[test]
    fn meetings_are_rendered_only_when_a_page_asks_for_them() {
        WRITTEN.with(|w| w.set(0));
        let tenant = Synthetic::new(SyntheticOptions {
            seed: 1,
            courses: 200,
            meetings: 100_000,
        });
        assert_eq!(tenant.len(), 100_000);
        assert_eq!(
            WRITTEN.with(|w| w.get()),
            0,
            "building the tenant rendered meetings"
        );
        let last = tenant.page(1_000, 100, None, false);
        assert_eq!(
            WRITTEN.with(|w| w.get()),
            100,
            "one page renders its own meetings only"
        );
        let body: thoughtindustries_models::MeetingsResponse =
            serde_json::from_slice(&last).unwrap();
        let info = body.data.meetings.page_info.unwrap();
        assert_eq!((info.total, info.has_more), (Some(100_000), Some(false)));
    }

    #[test]
    fn slugs_and_emails_are_ascii() {
        assert_eq!(
            slugify("Advanced Negotiation Skills — Cohort 3"),
            "advanced-negotiation-skills-cohort-3"
        );
        assert_eq!(ascii("Müller"), "mueller");
        assert_eq!(ascii("O'Brien"), "obrien");
        assert_eq!(initials("Advanced Negotiation Skills"), "ANS");
    }

    #[test]
    fn counts_add_up() {
        let tenant = Synthetic::new(SyntheticOptions {
            seed: 3,
            courses: 5,
            meetings: 300,
        });
        let per_course: usize = tenant.by_course.iter().map(Vec::len).sum();
        assert_eq!(per_course, 300);
        let per_zone: u64 = tenant.zones_by_course.iter().flatten().sum();
        assert_eq!(per_zone, 300);
    }

    #[test]
    fn no_meetings_no_courses() {
        let tenant = Synthetic::new(SyntheticOptions {
            seed: 3,
            courses: 0,
            meetings: 0,
        });
        assert_eq!(tenant.total(None), 0);
        let body: serde_json::Value =
            serde_json::from_slice(&tenant.page(1, 25, None, false)).expect("valid JSON");
        assert_eq!(body["data"]["Meetings"]["meetings"], json!([]));
    }
}
