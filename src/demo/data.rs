//! Word lists the demo data is made of.

pub const FIRST_NAMES: &[&str] = &[
    "Ana", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi",
    "Luca", "Maya", "Nikolai", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor",
    "Wen", "Ximena", "Yusuf", "Zoe",
];

pub const LAST_NAMES: &[&str] = &[
    "Almeida", "Brown", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
    "Jensen", "Kowalski", "Lopez", "Martin", "Novak", "Okafor", "Patel", "Quispe", "Rossi",
    "Silva", "Tanaka", "Umarov", "Varga", "Weber", "Xu", "Yilmaz", "Zhang",
];

pub const COMPANY_WORDS: &[&str] = &[
    "Acme", "Apex", "Blue", "Bright", "Cedar", "Delta", "Echo", "Falcon", "Globe", "Harbor",
    "Iron", "Juniper", "Krypton", "Lumen", "Maple", "Nimbus", "Orbit", "Pioneer", "Quartz",
    "Redwood", "Summit", "Titan", "Union", "Vertex", "Willow", "Zenith",
];

pub const COMPANY_KINDS: &[&str] = &[
    "Logistics",
    "Foods",
    "Health",
    "Software",
    "Energy",
    "Retail",
    "Motors",
    "Labs",
    "Media",
    "Finance",
];

pub const PRODUCTS: &[(&str, &str, i64)] = &[
    ("Starter licence", "LIC-START", 4_900),
    ("Team licence", "LIC-TEAM", 19_900),
    ("Enterprise licence", "LIC-ENT", 99_000),
    ("Onboarding package", "SRV-ONB", 250_000),
    ("Premium support (year)", "SRV-SUP", 120_000),
    ("Training day", "SRV-TRN", 90_000),
    ("Hardware kit", "HW-KIT", 34_950),
    ("API add-on", "ADD-API", 15_000),
];

pub const DEAL_TOPICS: &[&str] = &[
    "CRM rollout",
    "Renewal",
    "Expansion",
    "Pilot",
    "Support upgrade",
    "Platform migration",
    "New region",
    "Annual contract",
    "Training programme",
    "Hardware refresh",
];

pub const SOURCES: &[&str] = &[
    "Website",
    "Referral",
    "Cold call",
    "Event",
    "Partner",
    "Ads",
];

pub const TAGS: &[&str] = &[
    "enterprise",
    "smb",
    "renewal",
    "upsell",
    "inbound",
    "partner",
    "q4-push",
    "strategic",
];

pub const INDUSTRIES: &[&str] = &[
    "Retail",
    "Healthcare",
    "Manufacturing",
    "Finance",
    "Education",
];

pub const LOST_REASONS: &[&str] = &[
    "Price too high",
    "Chose a competitor",
    "No budget",
    "No decision",
    "Timing",
];

pub const TASK_TITLES: &[&str] = &[
    "Send proposal",
    "Schedule demo",
    "Follow up call",
    "Prepare contract",
    "Check references",
];

pub const ACTIVITY_SUBJECTS: &[&str] = &[
    "Intro call",
    "Discovery meeting",
    "Pricing email",
    "Demo session",
    "Contract notes",
];
