"""Names for the demo district's organizations: businesses, industry, schools, churches, HOAs."""

from __future__ import annotations

import random

from cistern.demo.domain.draw import pick


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(","))


_BUSINESS_OWNERS = _names(
    "Garcia, Golden Dragon, Pho Saigon, Kim's, Santos, Valley, Sierra, Mesa, Sunrise, "
    "Mission, Oak, Pacific, Delta, Foothill, Redwood, Main Street, Arroyo, Cedar, Nguyen, "
    "Lee's, Patel, Park's, Hernandez, Three Rivers, Blue Oak, Poppy, Granite, Lucky Star, "
    "Jade Garden, Manila, Seoul"
)
_BUSINESS_KINDS = (
    "Dental Group",
    "Auto Body",
    "Restaurant",
    "Taqueria",
    "Bakery",
    "Dry Cleaners",
    "Laundromat",
    "Market",
    "Car Wash",
    "Hair Salon",
    "Nail Spa",
    "Veterinary Hospital",
    "Pharmacy",
    "Fitness Center",
    "Medical Clinic",
    "Hardware",
    "Coffee House",
    "Pizza",
    "Insurance Agency",
    "Tire & Brake",
    "Mini Storage",
    "Motel",
    "Brewing Co.",
    "Tax Service",
)
_BUSINESS_FORMS = ("", "", " LLC", " Inc.", " Corp.")
_INDUSTRY = (
    "Sierra Packaging Co.",
    "Valley Precast Concrete",
    "Foothill Food Processing",
    "Arroyo Ice & Cold Storage",
    "Delta Plastics Molding",
    "Golden State Bottling",
    "Cedar Flat Lumber Mill",
    "Mesa Linda Metal Finishing",
    "Northstate Creamery",
    "Pacific Almond Hulling",
    "Dry Creek Aggregate",
    "Tri-County Linen Service",
)
_SCHOOLS = (
    "Elementary School",
    "Middle School",
    "High School",
    "Charter Academy",
    "Community College",
    "Preschool",
)
_SCHOOL_NAMES = _names(
    "Lincoln, Washington, Jefferson, Cesar Chavez, Dolores Huerta, Sally Ride, John Muir, "
    "Sequoia, Cabrillo, Mission, Oak Grove, Valley View, Sierra Vista, Mesa Linda, Cedar "
    "Flat, Dry Creek"
)
_CHURCHES = (
    "St. Anne Catholic Church",
    "Our Lady of Guadalupe Parish",
    "First Baptist Church",
    "Grace Lutheran Church",
    "Korean Presbyterian Church",
    "Vietnamese Alliance Church",
    "Iglesia Cristiana El Buen Pastor",
    "Filipino-American Community Church",
    "Chinese Evangelical Free Church",
    "First United Methodist Church",
    "Sikh Gurdwara Sahib",
    "Temple Beth Shalom",
    "Calvary Chapel",
    "Kingdom Hall of Jehovah's Witnesses",
)
_HOA_NAMES = _names(
    "Oak Creek, Quail Ridge, Sunset Meadows, Willow Glen, Vineyard Estates, Heron Lake, "
    "Canyon Oaks, Mesa Verde, Riverside Commons, Manzanita Village, Sierra Pines"
)
_PUBLIC = (
    "Parks and Recreation",
    "Public Works Yard",
    "Fire Station",
    "Library",
    "Community Center",
    "Senior Center",
)
_MANAGERS = (
    "Pinnacle Property Management",
    "Valley Rentals & Management",
    "Golden State Apartment Homes",
    "Sierra Residential Partners",
    "Mission Property Group",
    "Redwood Realty Management",
    "Arroyo Housing Authority",
    "Cedar Flat Senior Housing",
    "Evergreen Community Housing",
    "Westside Apartments LP",
)


def organization_name(rng: random.Random, kind: str, *, town: str) -> str:
    """A plausible name for an organization of ``kind`` located in ``town``."""
    if kind == "business":
        owner = pick(rng, _BUSINESS_OWNERS)
        return f"{owner} {pick(rng, _BUSINESS_KINDS)}{pick(rng, _BUSINESS_FORMS)}"
    if kind == "industry":
        return pick(rng, _INDUSTRY)
    if kind == "school":
        if rng.random() < 0.25:
            return f"{town} Unified School District"
        return f"{pick(rng, _SCHOOL_NAMES)} {pick(rng, _SCHOOLS)}"
    if kind == "church":
        return pick(rng, _CHURCHES)
    if kind == "hoa":
        return f"{pick(rng, _HOA_NAMES)} Homeowners Association"
    if kind == "public":
        return f"City of {town} {pick(rng, _PUBLIC)}"
    if kind == "manager":
        return pick(rng, _MANAGERS)
    raise ValueError(f"unknown organization kind {kind!r}")
