"""The demo catalogue: four events in four currencies with their real tax rates, and the
names, companies and marketing channels the demo orders are drawn from."""
from __future__ import annotations

from decimal import Decimal as D

EVENTS = [
    {
        "key": "paris",
        "name": "Salon Tech Paris 2026",
        "timezone": "Europe/Paris",
        "currency": "EUR",
        "language": "fr",
        "starts_in_days": 40,
        "duration_days": 3,
        "seated": False,
        "community": False,
        "weight": 45,
        "bank_details": "IBAN FR76 3000 6000 0112 3456 7890 189 - BIC AGRIFRPP - Salon Tech SAS",
        "tariffs": [
            ("badge", "3-day pass", "Pass 3 jours", D("290.00"), D("20"), 6000),
            ("badge", "1-day pass", "Pass 1 jour", D("120.00"), D("20"), 9000),
            ("badge", "Student pass", "Pass étudiant", D("45.00"), D("20"), 2000),
            ("ticket", "Gala dinner", "Soirée de gala", D("85.00"), D("10"), 1200),
            ("product", "Lunch box", "Déjeuner", D("22.50"), D("10"), None),
            ("product", "Parking (per day)", "Parking (par jour)", D("15.00"), D("20"), 800),
        ],
        "codes": [
            ("EARLYBIRD", D("15"), None, None),
            ("PARTNER50", None, D("50.00"), None),
            ("SPEAKER100", D("100"), None, "badge"),
        ],
    },
    {
        "key": "montreal",
        "name": "Festival Lumière Montréal",
        "timezone": "America/Toronto",
        "currency": "CAD",
        "language": "fr",
        "starts_in_days": 75,
        "duration_days": 4,
        "seated": True,
        "community": False,
        "weight": 25,
        "bank_details": "Caisse Desjardins - transit 30000 - institution 815 - compte 1234567",
        "tariffs": [
            ("ticket", "Festival pass", "Passeport festival", D("149.00"), D("14.975"), 5000),
            ("ticket", "Evening ticket", "Billet soirée", D("59.00"), D("14.975"), 8000),
            ("ticket", "VIP seat", "Siège VIP", D("249.00"), D("14.975"), 400),
            ("product", "Festival poster", "Affiche du festival", D("25.00"), D("14.975"), None),
        ],
        "codes": [
            ("LUMIERE10", D("10"), None, None),
            ("PRESSE100", D("100"), None, "ticket"),
        ],
    },
    {
        "key": "zurich",
        "name": "Swiss Data Summit Zürich",
        "timezone": "Europe/Zurich",
        "currency": "CHF",
        "language": "en",
        "starts_in_days": -20,
        "duration_days": 2,
        "seated": False,
        "community": False,
        "weight": 15,
        "bank_details": "IBAN CH93 0076 2011 6238 5295 7 - Swiss Data Summit AG",
        "tariffs": [
            ("badge", "Conference pass", "Pass conférence", D("690.00"), D("8.1"), 1500),
            ("badge", "Workshop day", "Journée atelier", D("350.00"), D("8.1"), 600),
            ("product", "Speakers' dinner", "Dîner des intervenants", D("120.00"), D("8.1"), 200),
        ],
        "codes": [
            ("ALUMNI20", D("20"), None, None),
            ("SPONSOR100", D("100"), None, "badge"),
        ],
    },
    {
        "key": "london",
        "name": "Open Source Community Day London",
        "timezone": "Europe/London",
        "currency": "GBP",
        "language": "en",
        "starts_in_days": 110,
        "duration_days": 1,
        "seated": False,
        "community": True,
        "weight": 15,
        "bank_details": "Sort code 20-00-00 - Account 55779911 - OSCD Ltd",
        "tariffs": [
            ("badge", "Community badge", "Badge communauté", D("30.00"), D("20"), 3000),
            ("badge", "Supporter badge", "Badge soutien", D("90.00"), D("20"), 500),
            ("product", "Hoodie", "Sweat à capuche", D("35.00"), D("20"), None),
        ],
        "codes": [
            ("MEETUP5", None, D("5.00"), None),
            ("VOLUNTEER100", D("100"), None, "badge"),
        ],
    },
]

FORM_FIELDS = [
    # (form, key, type, label_en, label_fr, required, options)
    ("buyer", "job_title", "text", "Job title", "Fonction", False, []),
    ("buyer", "dietary", "select", "Dietary requirements", "Régime alimentaire", False,
     ["none", "vegetarian", "vegan", "halal", "gluten_free"]),
    ("order", "po_number", "text", "Purchase order number", "Numéro de bon de commande", False, []),
    ("badge", "tshirt_size", "select", "T-shirt size", "Taille de t-shirt", False, ["XS", "S", "M", "L", "XL"]),
]

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Zoé", "Élodie", "Hélène", "Gaëlle", "Amélie",
    "Lucas", "Hugo", "Louis", "Théo", "François", "Jérôme", "Noël", "Mathéo", "Raphaël", "Benoît",
    "Olivia", "Emma", "Sophie", "Charlotte", "Amelia", "James", "Oliver", "Harry", "Jack", "George",
    "Anna", "Lena", "Jürg", "Mia", "Luca", "Noah", "Laura", "Élise", "Maëlle", "Anaïs",
    "Félix", "Émile", "Gabriel", "Jacob", "William", "Nathan", "Samuel", "Océane", "Rosalie", "Maïka",
]
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Lefèvre", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Müller", "Meier",
    "Schmid", "Keller", "Weber", "Huber", "Brunner", "Smith", "Jones", "Taylor", "Brown", "Williams",
    "Wilson", "Evans", "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie",
    "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "O'Brien",
]
COMPANIES = [
    "Acme SAS", "Boulangerie Numérique", "Datavista SA", "Helvetic Analytics AG", "Nordlicht GmbH",
    "Orange Business", "Québec Médias inc.", "Studio Lumière", "Thames Software Ltd", "Zurich Insights AG",
    "Atelier Créatif SARL", "Cloudnine Ltd", "Desjardins Innovation", "Écolab Conseil", "Mont-Royal Événements",
    "Open Infra Foundation", "Pixel & Cie", "Sécurité Plus", "Université de Montréal", "Ville de Paris",
]
EMAIL_DOMAINS = ["gmail.com", "outlook.fr", "orange.fr", "yahoo.ca", "bluewin.ch", "proton.me", "icloud.com"]

# (utm_source, utm_medium, weight, terms, contents)
UTM_CHANNELS = [
    ("google", "cpc", 30, ["conference tickets", "salon tech", "festival montréal", "data summit"], ["ad_a", "ad_b"]),
    ("google", "organic", 8, [None], [None]),
    ("facebook", "paid_social", 16, [None], ["carousel", "video_15s", "story"]),
    ("newsletter", "email", 14, [None], ["header_button", "footer_link"]),
    ("linkedin", "paid_social", 12, [None], ["sponsored_post", "inmail"]),
    ("instagram", "paid_social", 8, [None], ["reel", "story"]),
    ("partner_site", "referral", 7, [None], ["banner"]),
    ("twitter", "social", 5, [None], [None]),
]
CAMPAIGNS = ["early_bird", "launch", "last_chance", "retargeting", "partners", "black_friday"]
