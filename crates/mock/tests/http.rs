//! The mock's REST behaviour over real HTTP: pagination, filtering, aggregations, auth, errors,
//! determinism.

mod common;

use std::collections::{BTreeMap, HashSet};

use common::{client, get, page, start, tenant};
use serde_json::{Value, json};
use thoughtindustries_mock::{DEMO_TOKEN, MockConfig, OPENAPI_YAML, Tenant};
use uuid::Uuid;

fn config(tenant: Tenant) -> MockConfig {
    MockConfig {
        tenant,
        ..MockConfig::default()
    }
}

#[tokio::test]
async fn pagination_walks_every_meeting_exactly_once() {
    let server = start(config(tenant(11, 6, 130))).await;
    let client = client();
    let mut seen = HashSet::new();
    let mut page_number = 1;
    loop {
        let (response, _) = page(&client, &server, &format!("page={page_number}")).await;
        let meetings_page = response.data.meetings;
        let info = meetings_page.page_info.expect("pageInfo");
        let meetings = meetings_page.meetings.expect("meetings");
        assert_eq!(info.current_page, Some(page_number));
        assert_eq!(info.per_page, Some(25));
        assert_eq!(info.total, Some(130));
        for meeting in &meetings {
            assert!(
                seen.insert(meeting.id),
                "meeting {} served twice",
                meeting.id
            );
            assert!(meeting.end_date > meeting.start_date);
            assert_eq!(meeting.course.id, Some(meeting.course_id));
        }
        if info.has_more != Some(true) {
            assert_eq!(meetings.len(), 130 - 25 * 5);
            break;
        }
        assert_eq!(meetings.len(), 25);
        page_number += 1;
    }
    assert_eq!(page_number, 6);
    assert_eq!(seen.len(), 130);

    // No page parameter means page 1; past the end is empty and final.
    let (first, _) = page(&client, &server, "").await;
    assert_eq!(first.data.meetings.page_info.unwrap().current_page, Some(1));
    let (past, _) = page(&client, &server, "page=9").await;
    let past = past.data.meetings;
    assert_eq!(past.meetings.map(|m| m.len()), Some(0));
    let info = past.page_info.unwrap();
    assert_eq!(
        (info.has_more, info.total, info.current_page),
        (Some(false), Some(130), Some(9))
    );
}

#[tokio::test]
async fn course_filter_and_aggregations_count_what_they_claim() {
    let tenant = tenant(5, 7, 200);
    let server = start(MockConfig {
        tenant: tenant.clone(),
        per_page: 40,
        ..MockConfig::default()
    })
    .await;
    let client = client();

    // Walk everything, counting meetings per course and per time zone.
    let mut per_course: BTreeMap<Uuid, i64> = BTreeMap::new();
    let mut per_zone: BTreeMap<Option<String>, i64> = BTreeMap::new();
    for n in 1..=5 {
        let (response, _) = page(&client, &server, &format!("page={n}")).await;
        for meeting in response.data.meetings.meetings.unwrap() {
            *per_course.entry(meeting.course_id).or_default() += 1;
            *per_zone.entry(meeting.time_zone).or_default() += 1;
        }
    }
    assert_eq!(per_course.values().sum::<i64>(), 200);

    let (first, raw) = page(&client, &server, "page=1").await;
    let aggregations: Vec<_> = first
        .data
        .meetings
        .aggregations
        .expect("aggregations")
        .into_iter()
        .map(|a| a.expect("the mock writes no null aggregation"))
        .collect();
    let course_agg = aggregations
        .iter()
        .find(|a| a.key.as_deref() == Some("course"))
        .unwrap();
    let buckets: Vec<_> = course_agg
        .buckets
        .clone()
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(buckets.len(), per_course.len());
    for bucket in &buckets {
        let id = Uuid::parse_str(bucket.value.as_deref().unwrap()).unwrap();
        assert_eq!(bucket.query, bucket.value);
        assert_eq!(bucket.count, per_course.get(&id).copied(), "course {id}");
    }
    // Bucket labels are the course titles.
    let raw: Value = serde_json::from_slice(&raw).unwrap();
    let meeting = &raw["data"]["Meetings"]["meetings"][0];
    let own = buckets
        .iter()
        .find(|b| b.value.as_deref() == meeting["courseId"].as_str())
        .unwrap();
    assert_eq!(own.label.as_deref(), meeting["course"]["title"].as_str());

    let zone_agg = aggregations
        .iter()
        .find(|a| a.key.as_deref() == Some("timeZone"))
        .unwrap();
    let mut zone_total = 0;
    for bucket in zone_agg.buckets.clone().unwrap().into_iter().flatten() {
        let count = bucket.count.unwrap();
        zone_total += count;
        assert_eq!(
            per_zone.get(&bucket.value).copied(),
            Some(count),
            "{bucket:?}"
        );
    }
    assert_eq!(zone_total, 200);

    // Filtering: only that course's meetings, the total and the one bucket agree.
    for (&course, &count) in &per_course {
        let mut served = 0;
        for n in 1.. {
            let (response, _) =
                page(&client, &server, &format!("courseId={course}&page={n}")).await;
            let meetings_page = response.data.meetings;
            let info = meetings_page.page_info.unwrap();
            assert_eq!(info.total, Some(count));
            let meetings = meetings_page.meetings.unwrap();
            assert!(meetings.iter().all(|m| m.course_id == course));
            served += meetings.len() as i64;
            let agg = meetings_page.aggregations.unwrap();
            let buckets = agg[0].as_ref().unwrap().buckets.clone().unwrap();
            assert_eq!(buckets.len(), 1);
            assert_eq!(buckets[0].as_ref().unwrap().count, Some(count));
            if info.has_more != Some(true) {
                break;
            }
        }
        assert_eq!(served, count);
        assert_eq!(tenant.total(Some(course)), count as usize);
    }

    // A course the tenant does not have: an empty result.
    let (none, _) = page(&client, &server, &format!("courseId={}", Uuid::nil())).await;
    let info = none.data.meetings.page_info.unwrap();
    assert_eq!((info.total, info.has_more), (Some(0), Some(false)));
}

#[tokio::test]
async fn authentication_needs_the_configured_bearer_token() {
    let server = start(MockConfig {
        token: "s3cret".into(),
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let url = server.meetings_url();
    for request in [
        client.get(&url),
        client.get(&url).bearer_auth(DEMO_TOKEN),
        client.get(&url).header("Authorization", "s3cret"),
        client.get(&url).basic_auth("s3cret", None::<&str>),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert!(response.bytes().await.unwrap().is_empty());
    }
    let ok = client.get(&url).bearer_auth("s3cret").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(server.stats().status(401), 4);
}

#[tokio::test]
async fn bad_parameters_get_400_with_an_error_body() {
    let server = start(MockConfig::default()).await;
    let client = client();
    for query in [
        "page=0",
        "page=-2",
        "page=abc",
        "page=1.5",
        "page=",
        "courseId=not-a-uuid",
        "courseId=",
        "page=2&courseId=1234",
    ] {
        let response = get(&client, &server, query).await;
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "bad_request", "{query}");
        assert!(body["message"].is_string());
    }
    // Unknown parameters are ignored.
    let (response, _) = page(&client, &server, "page=2&perPage=3&sort=title").await;
    assert_eq!(response.data.meetings.meetings.unwrap().len(), 25);
}

#[tokio::test]
async fn other_paths_404_other_methods_405_and_the_spec_is_served() {
    let server = start(MockConfig::default()).await;
    let client = client();
    let missing = client
        .get(format!("{}/incoming/v2/courses", server.base_url()))
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"], "not_found");

    let post = client
        .post(server.meetings_url())
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 405);

    let spec = client
        .get(format!("{}/openapi.yaml", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(spec.status(), 200);
    assert_eq!(spec.text().await.unwrap(), OPENAPI_YAML);
    assert!(OPENAPI_YAML.contains("operationId: list_meetings"));

    let stats = server.stats();
    assert_eq!(stats.requests, 3);
    assert_eq!(
        (stats.status(404), stats.status(405), stats.status(200)),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn the_same_seed_serves_the_same_bytes() {
    let client = client();
    let one = start(config(tenant(42, 9, 300))).await;
    let two = start(config(tenant(42, 9, 300))).await;
    let other = start(config(tenant(43, 9, 300))).await;
    for query in ["page=1", "page=7", "page=12"] {
        let (_, a) = page(&client, &one, query).await;
        let (_, b) = page(&client, &two, query).await;
        let (_, c) = page(&client, &other, query).await;
        assert_eq!(a, b, "{query}");
        assert_ne!(a, c, "{query}");
    }
    let (_, served) = page(&client, &one, "page=3").await;
    assert_eq!(served, tenant(42, 9, 300).page_body(3, 25, None));
}

#[test]
fn synthetic_meetings_look_like_the_real_api() {
    let tenant = tenant(8, 20, 400);
    let mut raw_meetings = Vec::new();
    for n in 1..=4 {
        let body: Value = serde_json::from_slice(&tenant.page_body(n, 100, None)).unwrap();
        raw_meetings.extend(
            body["data"]["Meetings"]["meetings"]
                .as_array()
                .unwrap()
                .clone(),
        );
    }
    let count =
        |predicate: &dyn Fn(&Value) -> bool| raw_meetings.iter().filter(|m| predicate(m)).count();
    // Both kinds of meeting, and the nulls the notes allow.
    assert!(count(&|m| m["location"].is_object() && m["location"]["timeZone"].is_string()) > 20);
    assert!(
        count(&|m| m["joinUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://")))
            > 20
    );
    assert!(count(&|m| m["title"].is_null()) > 0);
    assert!(count(&|m| m.get("location") == Some(&Value::Null)) > 0);
    assert!(count(&|m| m["attendees"].is_null()) > 0);
    assert!(count(&|m| m["attendees"].as_array().is_some_and(|a| !a.is_empty())) > 100);
    let zones: HashSet<&str> = raw_meetings
        .iter()
        .filter_map(|m| m["timeZone"].as_str())
        .collect();
    assert!(zones.len() >= 8, "{zones:?}");
    // Non-null fields are never null; timestamps are RFC 3339; other systems' ids are not UUIDs.
    for meeting in &raw_meetings {
        for key in ["id", "courseId", "course", "startDate", "endDate"] {
            assert!(!meeting[key].is_null(), "{key}");
        }
        let course = &meeting["course"];
        for key in [
            "id",
            "slug",
            "prices",
            "isActive",
            "purchasable",
            "seatsUsedCount",
            "hasChildren",
        ] {
            assert!(!course[key].is_null(), "course.{key}");
        }
        assert!(
            chrono::DateTime::parse_from_rfc3339(meeting["startDate"].as_str().unwrap()).is_ok()
        );
        for user in meeting["attendees"].as_array().into_iter().flatten() {
            for key in ["id", "disabled", "mustVerifyEmail", "certificatesCount"] {
                assert!(!user[key].is_null(), "user.{key}");
            }
            if let Some(stripe) = user["stripeCustomerId"].as_str() {
                assert!(stripe.starts_with("cus_") && Uuid::parse_str(stripe).is_err());
            }
            assert!(user["email"].as_str().unwrap().contains('@'));
        }
    }
    let title = raw_meetings[0]["course"]["title"].as_str().unwrap();
    assert!(!title.to_lowercase().contains("lorem"));
}

#[tokio::test]
async fn meetings_from_a_json_file_are_served_as_given() {
    let records = json!([
        {"id": "00000000-0000-4000-8000-000000000001", "courseId": "11111111-1111-4111-8111-111111111111",
         "course": {"id": "11111111-1111-4111-8111-111111111111", "slug": "a", "title": 42},
         "startDate": "2024-05-01T09:00:00+02:00", "endDate": "2024-05-01T10:00:00Z", "weird": [1, 2]},
        {"id": "00000000-0000-4000-8000-000000000002", "courseId": "22222222-2222-4222-8222-222222222222",
         "course": {"id": "22222222-2222-4222-8222-222222222222", "slug": "b"},
         "startDate": "2024-05-02T09:00:00Z", "endDate": "2024-05-02T10:00:00Z"}
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("meetings.json");
    std::fs::write(&path, serde_json::to_vec(&records).unwrap()).unwrap();
    let server = start(MockConfig {
        tenant: Tenant::from_json_file(&path).unwrap(),
        per_page: 1,
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let body: Value = get(&client, &server, "page=1").await.json().await.unwrap();
    let page = &body["data"]["Meetings"];
    assert_eq!(page["meetings"][0], records[0]);
    assert_eq!(
        page["pageInfo"],
        json!({"currentPage": 1, "hasMore": true, "perPage": 1, "total": 2})
    );
    let filtered: Value = get(
        &client,
        &server,
        "courseId=22222222-2222-4222-8222-222222222222",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(filtered["data"]["Meetings"]["meetings"][0], records[1]);
    assert_eq!(filtered["data"]["Meetings"]["pageInfo"]["total"], 1);
    assert!(Tenant::from_json_file(dir.path().join("missing.json")).is_err());
}

/// The sample meeting of `ti attendance import`'s README example: served by the detail with the
/// sample reports' people as attendees, accepting bulk writes for them, and not in the listing.
#[tokio::test]
async fn the_sample_meeting_is_served_by_its_detail_only() {
    use thoughtindustries_mock::{SAMPLE_ATTENDEES, SAMPLE_MEETING_ID, sample_attendee_id};
    let server = start(config(tenant(3, 2, 30))).await;
    let client = client();
    let url = format!(
        "{}/incoming/v2/meetings/{SAMPLE_MEETING_ID}",
        server.base_url()
    );
    let detail: Value = client
        .get(&url)
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let meeting = &detail["data"]["MeetingById"];
    assert_eq!(meeting["id"], SAMPLE_MEETING_ID.to_string());
    let emails: Vec<&str> = meeting["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["email"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = SAMPLE_ATTENDEES.iter().map(|(_, _, e)| *e).collect();
    assert_eq!(emails, expected);
    let typed: thoughtindustries_models::MeetingResponse =
        serde_json::from_value(detail.clone()).unwrap();
    assert!(typed.data.meeting_by_id.is_some());

    let bulk: Value = client
        .post(format!("{}/incoming/v2/users/bulkUpdateMeetingAttendance", server.base_url()))
        .bearer_auth(DEMO_TOKEN)
        .json(&json!({"users": [{"id": sample_attendee_id(0)}], "meetingId": SAMPLE_MEETING_ID, "attended": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        bulk["data"]["APIBulkUpdateMeetingAttendance"]["updatedRecordCount"],
        1
    );

    let (listing, _) = page(&client, &server, "page=1").await;
    assert_eq!(listing.data.meetings.page_info.unwrap().total, Some(30));
    assert!(
        listing
            .data
            .meetings
            .meetings
            .unwrap()
            .iter()
            .all(|m| m.id != SAMPLE_MEETING_ID)
    );
}
