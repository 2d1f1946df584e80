//! Word lists of the synthetic tenant: course topics, session titles, people, companies, venues
//! and time zones. Venues and companies are invented; street addresses are plausible, not real.

/// Course topics; a course title is a topic, often followed by a cohort number.
pub(crate) const COURSE_TOPICS: &[&str] = &[
    "Advanced Negotiation Skills",
    "Foundations of Project Management",
    "Data Privacy for Healthcare Teams",
    "Leading Remote Teams",
    "Financial Modeling in Excel",
    "Customer Success Playbook",
    "Introduction to SQL for Analysts",
    "Workplace Safety Certification",
    "Effective Feedback and Coaching",
    "Cloud Security Essentials",
    "Consultative Selling",
    "Anti-Money Laundering Refresher",
    "Agile Product Ownership",
    "Presentation Skills for Engineers",
    "Inclusive Hiring Practices",
    "Supply Chain Risk Management",
    "First-Time Manager Bootcamp",
    "Clinical Documentation Improvement",
    "GDPR in Practice",
    "Design Thinking Workshop",
    "Partner Enablement: Platform Fundamentals",
    "Conflict Resolution at Work",
    "Budgeting and Forecasting",
    "Cybersecurity Awareness",
    "Strategic Account Planning",
    "Lean Six Sigma Green Belt",
    "Onboarding for Support Agents",
    "Writing for the Web",
    "Pharmaceutical Sales Compliance",
    "Time Management and Prioritization",
    "Executive Communication",
    "Kubernetes for Developers",
    "Mental Health First Aid",
    "Procurement Fundamentals",
];

/// Session title patterns; `{n}` is replaced by the session number.
pub(crate) const SESSION_TITLES: &[&str] = &[
    "Session {n}: Live Workshop",
    "Kickoff and Orientation",
    "Office Hours",
    "Live Q&A with the Instructor",
    "Week {n} Breakout Discussion",
    "Module {n} Deep Dive",
    "Hands-On Lab {n}",
    "Case Study Review",
    "Role-Play Practice Round {n}",
    "Capstone Presentations",
    "Certification Exam Prep",
    "Panel: Lessons from the Field",
];

/// Notes shown to attendees.
pub(crate) const ATTENDEE_INFO: &[&str] = &[
    "Please bring a laptop with Excel installed.",
    "Doors open 15 minutes early; photo ID is required at reception.",
    "Join 5 minutes early to test your audio and video.",
    "Lunch is provided; tell us about dietary restrictions when you register.",
    "Read chapters 2 and 3 of the workbook before the session.",
    "Parking is validated at the front desk.",
    "Cameras on, please: this session is highly interactive.",
];

/// First names.
pub(crate) const FIRST_NAMES: &[&str] = &[
    "Maria", "James", "Aisha", "Wei", "Sofia", "Liam", "Priya", "Mateo", "Hannah", "Kenji",
    "Olivia", "Noah", "Fatima", "Lucas", "Chloe", "Daniel", "Amara", "Ethan", "Ingrid", "Rahul",
    "Zoe", "Gabriel", "Yuki", "Samuel", "Elena", "Omar", "Grace", "Diego", "Nadia", "Thomas",
];

/// Last names.
pub(crate) const LAST_NAMES: &[&str] = &[
    "Garcia",
    "Smith",
    "Okafor",
    "Chen",
    "Rossi",
    "Murphy",
    "Patel",
    "Fernandez",
    "Müller",
    "Tanaka",
    "Johnson",
    "Williams",
    "Haddad",
    "Silva",
    "Dubois",
    "Kim",
    "Mensah",
    "Brown",
    "Larsen",
    "Sharma",
    "Nguyen",
    "Costa",
    "Sato",
    "O'Brien",
    "Petrova",
    "Khan",
    "Walker",
    "Lopez",
    "Novak",
    "Andersson",
];

/// Customer companies: (name, email domain).
pub(crate) const COMPANIES: &[(&str, &str)] = &[
    ("Northwind Health", "northwindhealth.com"),
    ("Bluebird Logistics", "bluebirdlogistics.io"),
    ("Cobalt Financial Group", "cobaltfg.com"),
    ("Meridian Software", "meridiansoft.dev"),
    ("Harbor & Vine Retail", "harborvine.com"),
    ("Summit Pharma", "summitpharma.example.com"),
    ("Atlas Manufacturing", "atlasmfg.com"),
    ("Lumen Energy", "lumen-energy.com"),
];

/// Job-related bios (some users have none).
pub(crate) const BIOS: &[&str] = &[
    "Sales lead for the EMEA region.",
    "Customer success manager, ten years in SaaS.",
    "Registered nurse and clinical educator.",
    "Finance analyst focused on FP&A.",
    "Support engineer and part-time trainer.",
];

/// Role keys of users.
pub(crate) const ROLE_KEYS: &[&str] = &["learner", "learner", "learner", "manager", "instructor"];

/// Preferred languages of users.
pub(crate) const LANGUAGES: &[&str] = &["en", "en", "en", "de", "fr", "es", "pt", "ja"];

/// Departments, for custom fields.
pub(crate) const DEPARTMENTS: &[&str] = &[
    "Sales",
    "Customer Success",
    "Finance",
    "Engineering",
    "Operations",
    "Clinical",
];

/// A venue in a city, with its IANA time zone (an index into [`TIME_ZONES`]).
pub(crate) struct Venue {
    pub name: &'static str,
    pub room: Option<&'static str>,
    pub address1: &'static str,
    pub address2: Option<&'static str>,
    pub city: &'static str,
    pub state: Option<&'static str>,
    pub zip_code: Option<&'static str>,
    pub country: &'static str,
    pub time_zone: usize,
}

/// IANA time zones of meetings; the first ones are those of the venues.
pub(crate) const TIME_ZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Phoenix",
    "Europe/Madrid",
    "Asia/Manila",
    "UTC",
];

/// Physical venues.
#[rustfmt::skip]
pub(crate) const VENUES: &[Venue] = &[
    Venue { name: "Harborview Conference Center", room: Some("Room 4B"), address1: "200 Seaport Blvd", address2: Some("Suite 400"), city: "Boston", state: Some("MA"), zip_code: Some("02210"), country: "United States", time_zone: 0 },
    Venue { name: "Midtown Learning Loft", room: Some("Hudson"), address1: "415 W 37th St", address2: None, city: "New York", state: Some("NY"), zip_code: Some("10018"), country: "United States", time_zone: 0 },
    Venue { name: "Lakeshore Training Rooms", room: Some("Michigan Room"), address1: "180 N Wabash Ave", address2: Some("Floor 12"), city: "Chicago", state: Some("IL"), zip_code: Some("60601"), country: "United States", time_zone: 1 },
    Venue { name: "Front Range Commons", room: None, address1: "1550 Larimer St", address2: None, city: "Denver", state: Some("CO"), zip_code: Some("80202"), country: "United States", time_zone: 2 },
    Venue { name: "Pacific Skills Hub", room: Some("Room 210"), address1: "88 Mission St", address2: None, city: "San Francisco", state: Some("CA"), zip_code: Some("94105"), country: "United States", time_zone: 3 },
    Venue { name: "King Street Workspace", room: Some("Boardroom"), address1: "120 King St W", address2: Some("Suite 900"), city: "Toronto", state: Some("ON"), zip_code: Some("M5H 1J9"), country: "Canada", time_zone: 4 },
    Venue { name: "Espaço Paulista", room: Some("Sala 3"), address1: "Av. Paulista 1200", address2: None, city: "São Paulo", state: Some("SP"), zip_code: Some("01310-100"), country: "Brazil", time_zone: 5 },
    Venue { name: "Thameside Training Centre", room: Some("Room 2.14"), address1: "30 Southwark Bridge Rd", address2: None, city: "London", state: None, zip_code: Some("SE1 9HA"), country: "United Kingdom", time_zone: 6 },
    Venue { name: "Spreeufer Akademie", room: Some("Raum 5"), address1: "Stralauer Allee 6", address2: None, city: "Berlin", state: None, zip_code: Some("10245"), country: "Germany", time_zone: 7 },
    Venue { name: "Atelier Montparnasse", room: None, address1: "33 Avenue du Maine", address2: None, city: "Paris", state: None, zip_code: Some("75015"), country: "France", time_zone: 8 },
    Venue { name: "Sandton Business Suites", room: Some("Protea"), address1: "140 West St", address2: None, city: "Johannesburg", state: Some("Gauteng"), zip_code: Some("2196"), country: "South Africa", time_zone: 9 },
    Venue { name: "Creek Harbour Training Hall", room: None, address1: "Dubai Creek Tower Plaza", address2: None, city: "Dubai", state: None, zip_code: None, country: "United Arab Emirates", time_zone: 10 },
    Venue { name: "Bandra Kurla Learning Centre", room: Some("Hall A"), address1: "G Block, Bandra Kurla Complex", address2: None, city: "Mumbai", state: Some("Maharashtra"), zip_code: Some("400051"), country: "India", time_zone: 11 },
    Venue { name: "Marina Skills Studio", room: Some("Level 8"), address1: "10 Bayfront Ave", address2: None, city: "Singapore", state: None, zip_code: Some("018956"), country: "Singapore", time_zone: 12 },
    Venue { name: "Marunouchi Seminar Rooms", room: Some("Room C"), address1: "2-4-1 Marunouchi", address2: None, city: "Tokyo", state: None, zip_code: Some("100-6390"), country: "Japan", time_zone: 13 },
    Venue { name: "Barangaroo Training Rooms", room: None, address1: "200 Barangaroo Ave", address2: Some("Level 3"), city: "Sydney", state: Some("NSW"), zip_code: Some("2000"), country: "Australia", time_zone: 14 },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venues_point_at_time_zones() {
        assert!(
            VENUES
                .iter()
                .all(|venue| venue.time_zone < TIME_ZONES.len())
        );
    }
}
