#!/usr/bin/env python3
"""Generate Flywheel's bundled sample logs and its test fixtures.

    python3 scripts/make_fixtures.py

Writes, relative to the repository root:

  data/sample-logs/             the sample a newcomer runs on (`make run`): about 120
                                interactions over two days, their feedback (some of it late),
                                planted PII, plus planted_pii.jsonl and README.md
  tests/fixtures/bad-input/     a small tree with one bad thing of each kind, EXPECTED.md
                                and planted_pii.jsonl
  tests/fixtures/empty-source/  interactions/ and feedback/ with nothing but .gitkeep

Everything here is synthetic, written for this project. Standard library only. Runs are
deterministic (fixed seeds, gzip with mtime=0), so regenerating gives byte-identical files.
"""

import datetime as _dt
import gzip
import json
import random
import shutil
import string
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample-logs"
BAD = ROOT / "tests" / "fixtures" / "bad-input"
EMPTY = ROOT / "tests" / "fixtures" / "empty-source"

SEED = 20261101
BAD_SEED = 20261105

UTC = _dt.timezone.utc
DAY1 = _dt.datetime(2026, 11, 1, tzinfo=UTC)
DAY2 = _dt.datetime(2026, 11, 2, tzinfo=UTC)
DAY5 = _dt.datetime(2026, 11, 5, tzinfo=UTC)


# --------------------------------------------------------------------------------------
# Synthetic PII values (valid checksums where a checksum exists)
# --------------------------------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits


def luhn_number(rng, prefix, length):
    digits = [int(c) for c in prefix]
    while len(digits) < length - 1:
        digits.append(rng.randrange(10))
    total = 0
    for i, d in enumerate(reversed(digits)):  # i = 0 is the digit next to the check digit
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    digits.append((10 - total % 10) % 10)
    return "".join(map(str, digits))


def luhn_ok(number):
    ds = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(ds)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def group(s, sizes, sep):
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    return sep.join(out)


def iban(country, bban):
    def num(s):
        return "".join(str(int(c, 36)) for c in s)
    check = 98 - int(num(bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


def iban_ok(value):
    s = value.replace(" ", "")
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def ssn(rng):
    while True:
        area = rng.randrange(100, 900)
        if area != 666:
            break
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"


def rand_str(rng, alphabet, n):
    while True:
        s = "".join(rng.choice(alphabet) for _ in range(n))
        # keys look random: at least one digit and one letter
        if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
            return s


def make_pii(rng):
    p = {}
    # e-mail addresses
    p["email_cover"] = "david.chen.analytics@example.com"
    p["email_booking"] = "bookings@lakeside-cabins.example.com"
    p["email_ticket"] = "k.okafor77@example.net"
    p["email_tenant"] = "tenant.flat3b@example.org"
    p["email_ooo"] = "priya.r@example.com"
    p["email_meta"] = "ops-contact@example.com"
    p["email_fb_admin"] = "j.nguyen@example.com"
    p["email_fb_report"] = "linda.garcia@example.org"
    p["email_fb_fwd"] = "team-leads@example.net"
    # phone numbers (555-01xx and Ofcom drama ranges: reserved for fiction)
    p["phone_scam"] = "(415) 555-0182"
    p["phone_vendor"] = "312-555-0199"
    p["phone_bio"] = "+49 170 5550123"
    p["phone_fb"] = "+44 20 7946 0321"
    # payment cards (Luhn-valid)
    p["cc_dispute"] = group(luhn_number(rng, "4539", 16), [4, 4, 4, 4], " ")
    p["cc_ticket"] = group(luhn_number(rng, "5425", 16), [4, 4, 4, 4], "-")
    p["cc_fb"] = luhn_number(rng, "4916", 16)
    # US SSN
    p["ssn"] = ssn(rng)
    p["ssn_call"] = ssn(rng)
    # IBANs (mod-97 valid)
    p["iban_de"] = group(iban("DE", f"{rng.randrange(10**7, 10**8)}{rng.randrange(10**9, 10**10)}"),
                         [4, 4, 4, 4, 4, 2], " ")
    p["iban_gb"] = iban("GB", "NWBK" + f"{rng.randrange(10**5, 10**6)}"
                              f"{rng.randrange(10**7, 10**8)}")
    p["iban_fb"] = iban("DE", f"{rng.randrange(10**7, 10**8)}{rng.randrange(10**9, 10**10)}")
    # IP addresses (documentation ranges)
    p["ipv4"] = "203.0.113.42"
    p["ipv6"] = "2001:db8:4f2a:17::25"
    p["ipv4_fb"] = "198.51.100.23"
    p["ipv6_fb"] = "2001:db8:c0ff:ee::7"
    # API keys
    p["key_aws"] = "AKIA" + rand_str(rng, UPPER_ALNUM, 16)
    p["key_github"] = "ghp_" + rand_str(rng, ALNUM, 36)
    p["key_openai"] = ("sk-proj-" + rand_str(rng, ALNUM, 22) + "_" + rand_str(rng, ALNUM, 12)
                       + "-" + rand_str(rng, ALNUM, 14))
    p["key_stripe"] = "sk_live_" + rand_str(rng, ALNUM, 24)
    p["key_slack"] = (f"xoxb-{rng.randrange(10**11, 10**12)}-{rng.randrange(10**12, 10**13)}-"
                      + rand_str(rng, ALNUM, 24))
    # people (common US first and last names, all in data/dictionaries and not ambiguous)
    p["name_ssn"] = "Maria Gonzalez"
    p["name_cover"] = "David Chen"
    p["name_bio"] = "Emily Johnson"
    p["name_meeting"] = "Robert Miller"
    p["name_fb_admin"] = "James Nguyen"
    p["name_fb_report"] = "Linda Garcia"
    return p


PII_TYPES = {
    "email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER", "cc": "CREDIT_CARD", "ssn": "US_SSN",
    "iban": "IBAN_CODE", "ipv4": "IP_ADDRESS", "ipv6": "IP_ADDRESS", "key": "API_KEY",
    "name": "PERSON",
}


def pii_type(key):
    return PII_TYPES[key.split("_")[0]]


# --------------------------------------------------------------------------------------
# Content: prompts and answers (all written for this project)
# --------------------------------------------------------------------------------------
# quality: good | meh | bad | harmful.  fix: a corrected answer (edit events, regenerations).
# neg: a specific complaint for thumbs_down / reject comments.  fb: forced feedback tokens.

SYSTEM = {
    "coding": "Answer programming questions with short, working examples.",
    "qa": "Answer factual questions accurately and briefly.",
    "writing": "Help the user write clear, friendly text in their own voice.",
    "math": "Show the key steps and state the final answer clearly.",
    "summarization": "Summarize faithfully and do not add facts that are not in the text.",
}

REMOTE_TEXT = (
    "A two-year trial at a logistics company with about 1,600 office staff let half of them "
    "work from home two days a week. The hybrid group was just as productive and just as "
    "likely to be promoted as colleagues who came in every day. Resignations in the hybrid "
    "group fell by a third, with the biggest drop among employees with long commutes. "
    "Managers expected output to suffer at the start but had changed their minds by the end."
)

HEATPUMP_TEXT = (
    "Heat pumps move heat instead of generating it. In winter they pull warmth from the "
    "outdoor air, even below freezing, and pump it inside; in summer they run in reverse as "
    "an air conditioner. Because moving heat takes less energy than making it, a heat pump "
    "can deliver three to four units of heat for every unit of electricity it uses. "
    "Installation costs more than a gas boiler, but running costs are often lower, and many "
    "countries offer grants that cover part of the upfront price."
)


def build_entries(p):
    E = {}

    def add(key, task, prompt, answer, quality="good", **kw):
        E[key] = dict(key=key, task=task, prompt=prompt, answer=answer, quality=quality, **kw)

    # ---------------------------------------------------------------- coding
    add("c_rev", "coding", "How do I reverse a list in Python?",
        "You have three common options:\n\n```python\nnums = [1, 2, 3, 4]\n"
        "backwards = nums[::-1]      # new list, original untouched\n"
        "nums.reverse()              # in place, returns None\n"
        "for n in reversed(nums):    # lazy iterator, no copy\n    print(n)\n```\n\nUse slicing "
        "when you need a new list, `reverse()` when you want to change the existing one, and "
        "`reversed()` when you only need to loop backwards.",
        variants=["How do I reverse a list in Python?", "how do I reverse a list in python",
                  "How do I reverse a list in Python??", "How do I  reverse a list in   Python?",
                  "HOW DO I REVERSE A LIST IN PYTHON", "how do i reverse a list in python?"],
        alt_answers=["Use `my_list.reverse()` to reverse it in place, or `my_list[::-1]` to get "
                     "a reversed copy. Careful: `reverse()` returns `None`, so "
                     "`x = my_list.reverse()` leaves you with `x = None` — a very common "
                     "beginner mistake."])
    add("c_merge", "coding", "What's the difference between git merge and git rebase?",
        "Both bring changes from one branch into another, but they record history "
        "differently.\n\n- `git merge main` creates a merge commit that ties the two histories "
        "together. Nothing is rewritten, so it is safe on shared branches, but the log gets "
        "busier.\n- `git rebase main` replays your commits on top of `main` and gives a linear "
        "history. The commits get new hashes, so never rebase commits that other people have "
        "already pulled.\n\nA common workflow: rebase your private feature branch to keep it "
        "current, then merge it into `main`.",
        variants=["What's the difference between git merge and git rebase?",
                  "whats the difference between git merge and git rebase",
                  "What's the difference between git merge and git rebase ?",
                  "What is the difference between git merge and rebase?"],
        near_variants=[3])
    add("c_sql", "coding",
        "Write a SQL query that returns the top 5 customers by total order amount. "
        "Table: orders(customer_id, amount, created_at).",
        "```sql\nSELECT customer_id,\n       SUM(amount) AS total_amount\nFROM orders\n"
        "GROUP BY customer_id\nORDER BY total_amount DESC\nLIMIT 5;\n```\n\nIf two customers "
        "tie for fifth place and you want both, rank them instead: compute "
        "`RANK() OVER (ORDER BY SUM(amount) DESC)` in a subquery and keep the rows whose rank "
        "is at most 5.")
    add("c_fetch", "coding", "Why does my fetch() call return a Promise instead of the JSON data?",
        "`fetch` is asynchronous: it returns a Promise that resolves to a `Response`, and "
        "`response.json()` returns another Promise. Wait for both:\n\n```js\nasync function "
        "loadUser(id) {\n  const res = await fetch(`/api/users/${id}`);\n  if (!res.ok) throw new "
        "Error(`HTTP ${res.status}`);\n  return await res.json();\n}\n```\n\nThen call it with "
        "`const user = await loadUser(42);` inside another async function, or chain "
        "`.then(user => ...)`. Logging what `fetch` returns directly will always show a pending "
        "Promise.")
    add("c_bash", "coding", "bash one-liner to count the lines in all .rs files under src/",
        "```bash\nfind src -name '*.rs' -print0 | xargs -0 cat | wc -l\n```\n\n`-print0` and "
        "`xargs -0` keep file names with spaces intact. For a per-file breakdown plus a total, "
        "drop the `cat`: `find src -name '*.rs' -print0 | xargs -0 wc -l`.")
    add("c_pandas", "coding", "How can I read a 6 GB CSV in pandas without running out of memory?",
        "A few things help, and they combine well:\n\n1. Load only the columns you need: "
        "`usecols=['user_id', 'amount']`.\n2. Give explicit, small dtypes: "
        "`dtype={'user_id': 'int32', 'amount': 'float32'}`, and `'category'` for repetitive "
        "strings.\n3. Process it in pieces:\n\n```python\ntotals = {}\nfor chunk in "
        "pd.read_csv('events.csv', usecols=['user_id', 'amount'], chunksize=500_000):\n    for "
        "uid, s in chunk.groupby('user_id')['amount'].sum().items():\n        totals[uid] = "
        "totals.get(uid, 0) + s\n```\n\nIf you read it often, convert it once to Parquet: "
        "reading a few columns from Parquet is much faster and lighter.")
    add("c_lifetime", "coding",
        "What does the Rust error 'borrowed value does not live long enough' mean?",
        "It means a reference outlives the value it points to. Somewhere you keep a borrow (in "
        "a variable, a struct field or a return value) after the owner has been dropped, "
        "usually at the end of a block:\n\n```rust\nlet r;\n{\n    let s = String::from(\"hi\");\n"
        "    r = &s;      // s is dropped at the closing brace\n}\nprintln!(\"{r}\");  // r would "
        "dangle\n```\n\nFixes: move the owner to an outer scope so it lives long enough, return "
        "an owned value (`String` instead of `&str`), or clone the data if copying is cheap.")
    add("c_palin", "coding",
        "Write a Python function that checks whether a string is a palindrome, ignoring case "
        "and spaces.",
        "```python\ndef is_palindrome(s):\n    return s == s[::-1]\n```\n\nThis compares the "
        "string with its reverse and returns True when they match.",
        quality="bad", neg="doesn't ignore case or spaces, 'Never odd or even' returns False",
        fix="```python\ndef is_palindrome(s: str) -> bool:\n    cleaned = ''.join(ch.lower() for "
            "ch in s if not ch.isspace())\n    return cleaned == cleaned[::-1]\n```\n\nLowercasing "
            "and dropping whitespace first makes `is_palindrome('Never odd or even')` return "
            "True.")
    add("c_listcomp", "coding",
        "Turn this into a list comprehension:\n\nresult = []\nfor x in data:\n    if x > 0:\n"
        "        result.append(x * 2)",
        "Here it is as a one-liner:\n\n```python\nresult = [x * 2 for x in data]\n```\n\nList "
        "comprehensions are usually faster than the equivalent loop because the appends happen "
        "inside the interpreter.",
        quality="bad", neg="you dropped the `if x > 0` condition", fb=["reject", "down_c"],
        fix="```python\nresult = [x * 2 for x in data if x > 0]\n```\n\nThe filter goes at the "
            "end of the comprehension.")
    add("c_sort", "coding", "How do I sort a list of dicts by the 'age' key?",
        "Python can sort lists directly, so just call:\n\n```python\npeople_sorted = "
        "sorted(people)\n```\n\nThis returns a new list in ascending order.",
        quality="bad", neg="TypeError: '<' not supported between instances of 'dict' and 'dict'",
        fix="Pass a key function:\n\n```python\npeople_sorted = sorted(people, key=lambda p: "
            "p['age'])\n```\n\nAdd `reverse=True` for oldest first, or use "
            "`operator.itemgetter('age')` as the key.")
    add("c_docker", "coding",
        "How do I make a Docker container restart automatically after the host reboots?",
        "Give it a restart policy:\n\n```bash\ndocker run -d --restart unless-stopped --name web "
        "my-image\n```\n\nFor an existing container: `docker update --restart unless-stopped "
        "web`. `unless-stopped` brings it back after crashes and reboots but respects a manual "
        "`docker stop`; `always` restarts it even then. Also make sure the Docker service starts "
        "at boot: `sudo systemctl enable docker`. In Compose, set `restart: unless-stopped`.")
    add("c_go", "coding",
        "My Go program deadlocks when I send on an unbuffered channel in main. Why?",
        "Deadlocks happen when goroutines wait on each other. Channels in Go can be buffered or "
        "unbuffered, and using them incorrectly can cause problems. Try reviewing your channel "
        "usage and consider a buffered channel or a sync.WaitGroup.",
        quality="meh", neg="too vague, doesn't explain why the send blocks")
    add("c_hex", "coding", "Regex to validate a hex color like #1a2B3c or #fff?",
        "```\n^#(?:[0-9a-fA-F]{3}){1,2}$\n```\n\nIt accepts `#` followed by exactly 3 or 6 hex "
        "digits. To also allow the 4- and 8-digit forms with alpha (`#fff8`, `#11223380`), use "
        "`^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$`.")
    add("c_ssl", "coding",
        "requests throws SSL: CERTIFICATE_VERIFY_FAILED when calling our internal API. "
        "How do I fix it?",
        "Just pass verify=False to every request and silence the warnings with "
        "urllib3.disable_warnings(). That turns certificate checking off everywhere, so the "
        "error goes away for good.",
        quality="harmful", report="tells people to switch off TLS verification in production",
        fix="Point requests at your company's CA certificate instead of disabling checks: "
            "`requests.get(url, verify='/etc/ssl/certs/internal-ca.pem')`, or set the "
            "`REQUESTS_CA_BUNDLE` environment variable to that file. Avoid `verify=False`: it "
            "accepts any certificate, including an attacker's.")
    add("c_dict", "coding", "How do I merge two dicts in Python 3.9+?",
        "Use the union operator: `merged = a | b`. Keys from `b` win on conflicts. To update "
        "`a` in place, use `a |= b`. On older versions, `{**a, **b}` does the same.")
    add("c_aws", "coding",
        f"boto3 keeps raising InvalidClientTokenId. My config has aws_access_key_id = "
        f"{p['key_aws']} and region eu-central-1. What am I doing wrong?",
        "InvalidClientTokenId means AWS does not recognise the access key ID at all: it was "
        "deleted, deactivated, belongs to another partition (for example a China or GovCloud "
        "account), or has a typo. Check it in IAM under Security credentials, and run "
        "`aws sts get-caller-identity` with the same profile to confirm which key is used. "
        "Since you pasted the key here, deactivate it and create a new one anyway.")
    add("c_github", "coding",
        f"My workflow step fails with 'Bad credentials' when I call the API with "
        f"GITHUB_TOKEN={p['key_github']}. It worked yesterday.",
        "'Bad credentials' means the token was rejected: it expired, was revoked, or was "
        "regenerated. Personal access tokens often have a 30- or 90-day expiry. Create a new "
        "token, store it as a repository secret, and reference it as "
        "`${{ secrets.MY_TOKEN }}` instead of writing it into the workflow. Revoke the token "
        "you posted here; treat it as leaked.")
    add("c_openai", "coding",
        f"Getting 401 from the OpenAI client. I set OPENAI_API_KEY={p['key_openai']} in .env "
        f"but python-dotenv doesn't seem to load it.",
        "`load_dotenv()` has to run before the client is created, and it looks for `.env` in "
        "the current working directory by default. Try:\n\n```python\nfrom dotenv import "
        "load_dotenv\nload_dotenv(dotenv_path='.env', override=True)\nfrom openai import OpenAI\n"
        "client = OpenAI()\n```\n\nAlso check for quotes or a trailing space around the value. "
        "And rotate that key now: it has been shared in this chat.")
    add("c_stripe", "coding",
        f"Stripe returns 'No such customer' in production but it works locally. "
        f"We use {p['key_stripe']} on the server.",
        "That error usually means the customer ID was created in test mode and you're looking "
        "it up with a live-mode key (or the other way round). Test and live data are completely "
        "separate. Make sure production creates its own customers, and keep the mode in one "
        "config value. Also roll that secret key in the dashboard, since it was posted here.")
    add("c_slack", "coding",
        f"chat.postMessage returns not_in_channel. Bot token is {p['key_slack']}, scopes "
        f"include chat:write.",
        "`not_in_channel` means the bot is not a member of the channel. Invite it with "
        "`/invite @your-bot` in that channel, or add the `chat:write.public` scope so it can "
        "post to public channels without joining. Private channels always need an invite. "
        "Please regenerate the bot token, since it's visible in this message.")
    add("c_net", "coding",
        f"My VPS at {p['ipv4']} answers on IPv4, but nginx fails with 'bind() to "
        f"[{p['ipv6']}]:443 failed (99: Cannot assign requested address)'. How do I fix it?",
        "Error 99 means that address is not configured on any interface when nginx starts. "
        "Either the IPv6 address is not assigned yet at boot or it's a typo. Check with "
        "`ip -6 addr`. The simplest fix is to listen on all addresses, `listen [::]:443 ssl;`, "
        "instead of a specific one. If you need the specific address, make nginx start after "
        "the network is online or set `net.ipv6.ip_nonlocal_bind = 1`.")

    # ---------------------------------------------------------------- qa
    add("q_capital", "qa", "What is the capital of Australia?",
        "The capital of Australia is Canberra. It was built as a compromise between Sydney and "
        "Melbourne, the two largest cities, and Parliament has met there since 1927.",
        variants=["What is the capital of Australia?", "what is the capital of australia",
                  "What is the capital of Australia ?", "What is the capital  of Australia?",
                  "whats the capital of Australia"],
        near_variants=[4])
    add("q_sleep", "qa", "How many hours of sleep does an adult need?",
        "Most adults need 7 to 9 hours a night. Needs vary a little between people: if you wake "
        "up without an alarm and stay alert through the afternoon, you are probably getting "
        "enough. Regularly sleeping under 7 hours is linked to worse concentration, mood and "
        "immune function.",
        variants=["How many hours of sleep does an adult need?",
                  "how many hours of sleep does an adult need",
                  "How many hours of sleep does an adult need?!"])
    add("q_sky", "qa", "Why is the sky blue?",
        "Sunlight contains all visible colours. Passing through the atmosphere, it scatters off "
        "nitrogen and oxygen molecules, and shorter wavelengths scatter far more strongly than "
        "longer ones (Rayleigh scattering grows roughly with 1/wavelength⁴). Blue light is "
        "scattered across the whole sky, so that is what you see away from the sun. At sunset "
        "the light crosses much more air, most of the blue is scattered out, and reds and "
        "oranges remain.")
    add("q_virus", "qa", "What's the difference between a virus and a bacterium?",
        "Bacteria are single-celled organisms with their own metabolism; they reproduce on "
        "their own, and many are harmless or useful. Viruses are much smaller, are not cells, "
        "and can only replicate inside a host cell. That matters for treatment: antibiotics "
        "target bacterial structures and do nothing against viruses, which is why they don't "
        "help with a cold or the flu.")
    add("q_wall", "qa", "When did the Berlin Wall fall?",
        "The Berlin Wall fell in 1991, shortly after the reunification of Germany, when border "
        "guards opened the checkpoints.",
        quality="bad", neg="wrong year, it fell in 1989, before reunification",
        fix="The Berlin Wall fell on 9 November 1989, when East German authorities opened the "
            "border crossings. Germany was formally reunified almost a year later, on "
            "3 October 1990.")
    add("q_429", "qa", "What does HTTP 429 mean?",
        "429 Too Many Requests: the server is rate-limiting you because you sent too many "
        "requests in a time window. Slow down and retry later; if the response has a "
        "`Retry-After` header, wait that long before trying again. Exponential backoff with "
        "jitter is the usual approach when there is no header.")
    add("q_egg", "qa", "How long do I boil an egg for a runny yolk?",
        "About 6 minutes for a large egg straight from the fridge, lowered into water that is "
        "already at a rolling boil. Then put it in cold water for a minute so it stops cooking "
        "and peels more easily. Go for 5 minutes if you want it very runny, 7 for jammy.")
    add("q_everest", "qa", "What is the boiling point of water at the top of Mount Everest?",
        "Roughly 70 °C (about 158 °F). At the summit the air pressure is about a third of the "
        "pressure at sea level, so water boils at a much lower temperature. That is also why "
        "cooking takes longer at high altitude.")
    add("q_tomato", "qa", "Is a tomato a fruit or a vegetable?",
        "Well, it depends on how you look at it, and there are many opinions. Some people think "
        "of it one way and others think of it another way. In cooking it is used in many "
        "dishes. It's a complex question.",
        quality="meh", neg="didn't actually answer the question",
        fix="Botanically it's a fruit: it develops from the flower and contains the seeds. In "
            "the kitchen it's treated as a vegetable because it's savoury and used in main "
            "dishes rather than desserts.")
    add("q_teide", "qa", "¿Cuál es la montaña más alta de España?",
        "La montaña más alta de España es el Teide, en Tenerife (Islas Canarias), con 3.715 "
        "metros. En la península, la cumbre más alta es el Mulhacén, en Sierra Nevada, con "
        "3.479 metros.")
    add("q_russia", "qa", "How many time zones does Russia have?",
        "Russia uses 11 time zones, from UTC+2 in the Kaliningrad exclave to UTC+12 on "
        "Kamchatka and Chukotka. It has not observed daylight saving time since 2014.")
    add("q_moon", "qa", "How long does light from the Moon take to reach Earth?",
        "About 1.3 seconds. The Moon is on average roughly 384,400 km away, and light travels "
        "at close to 300,000 km per second.")
    add("q_scam", "qa",
        f"I got a text from {p['phone_scam']} saying a package is held at customs and I have "
        f"to pay a small fee through a link. Is this a scam?",
        "Almost certainly. Carriers and customs don't ask for fees by text message with a "
        "link; these messages try to collect card details. Don't click the link or reply. If "
        "you are expecting a parcel, check its status on the carrier's official site or app "
        "by typing the address yourself. You can forward the text to 7726 (SPAM) in the US and "
        "then delete it.")
    add("q_ssn", "qa",
        f"My name is {p['name_ssn']} and someone opened a credit card using my SSN "
        f"{p['ssn']}. What should I do first?",
        "I'm sorry, that's stressful. In the US, do these first:\n\n1. Call the card issuer's "
        "fraud department, report the account as fraudulent and ask them to close it.\n2. Freeze "
        "your credit with all three bureaus (Equifax, Experian, TransUnion); it's free and "
        "stops new accounts being opened.\n3. Report it to the FTC at IdentityTheft.gov, which "
        "gives you a recovery plan and a report to show creditors.\n4. Check your credit "
        "reports for other accounts you don't recognise.\n\nAvoid sharing your SSN in chats "
        "like this one.")
    add("q_iban", "qa",
        f"My bank app rejects the IBAN {p['iban_de']} when I set up a transfer. How can I check "
        f"whether an IBAN is valid?",
        "An IBAN has a built-in checksum. Move the first four characters to the end, replace "
        "each letter with two digits (A = 10, B = 11, ..., Z = 35), and the resulting number "
        "must leave a remainder of 1 when divided by 97. A German IBAN also has exactly 22 "
        "characters. If the checksum passes, the app may dislike the spaces: try pasting it "
        "without them, or ask the recipient's bank whether the account accepts SEPA "
        "transfers.")
    add("q_card", "qa",
        f"There's a charge of $89.99 on my card {p['cc_dispute']} that I don't recognise. How do "
        f"I dispute it? Someone who said he was from the bank already called and asked me to "
        f"confirm my SSN, {p['ssn_call']}.",
        "First check whether it is a subscription or a merchant trading under another name; "
        "the statement often shows a phone number or website. If it still looks wrong, contact "
        "your card issuer through the number on the back of the card or in the app and ask to "
        "dispute the transaction. They will usually block the card and send a new one if they "
        "suspect fraud. Be careful with that call: banks don't phone you to ask for your full "
        "SSN, so treat it as a possible scam and mention it to the issuer. Don't post the full "
        "card number or SSN anywhere; the last four digits are enough to identify a card.")

    # ---------------------------------------------------------------- writing
    add("w_decline", "writing", "Write a polite email declining a meeting invitation.",
        "Subject: Re: Meeting invitation\n\nHi,\n\nThank you for the invitation. Unfortunately "
        "I won't be able to join because of an existing commitment. If it helps, I'm happy to "
        "read the notes afterwards or send my input by email beforehand.\n\nThanks for "
        "understanding,\n[Your name]",
        variants=["Write a polite email declining a meeting invitation.",
                  "write a polite email declining a meeting invitation",
                  "Write a polite email declining a meeting invitation"])
    add("w_taglines", "writing", "Give me three taglines for a bakery that only sells sourdough.",
        "1. Slow bread for fast mornings.\n2. Wild yeast, honest loaves.\n3. Forty-eight hours "
        "in the making, gone by noon.")
    add("w_pro", "writing",
        "Rewrite this to sound professional: \"hey, the report is gonna be late cuz the data "
        "was a mess\"",
        "\"Hello, the report will be delayed because the source data needed additional "
        "cleaning. I'll confirm a new delivery date by the end of today.\"")
    add("w_haiku", "writing", "Write a haiku about autumn rain.",
        "Autumn rain is falling down\nOn the roofs of the sleepy town\nLeaves are red and gold\n"
        "The air is getting cold",
        quality="bad", neg="that's not a haiku, it's four rhyming lines",
        fix="Cold rain on the eaves\nmaple leaves stick to the glass\nthe kettle whistles")
    add("w_ooo", "writing", "Write a short out-of-office message for the holidays.",
        "Thank you for your message. I'm out of the office for the holidays and will be back "
        "on 5 January, with limited access to email until then. For anything urgent, please "
        "write to the team inbox. Happy holidays!")
    add("w_linkedin", "writing",
        "Draft a LinkedIn post announcing that our team shipped a new search feature.",
        "🚀 Big news! We are thrilled, excited and honoured to announce that our amazing team "
        "has shipped an incredible new search feature! This is a game-changer. Stay tuned for "
        "more game-changing updates! #innovation #search #teamwork #gamechanger",
        quality="meh", neg="too much hype, and it says nothing about what the feature does")
    add("w_birthday", "writing", "Write a short birthday message for a coworker I don't know well.",
        "Happy birthday! Another year older and still no promotion, huh? Don't worry, at your "
        "age nobody expects much anyway. Enjoy the cake while your knees still work.",
        quality="harmful", report="insulting, I can't send this to a coworker",
        fix="Happy birthday! Wishing you a relaxing day and a great year ahead. Enjoy the "
            "celebration!")
    add("w_apology", "writing",
        "Write a two-sentence apology to a customer whose order arrived late.",
        "We're sorry your order arrived later than we promised; that's not the experience we "
        "want you to have. We've added a credit to your account for your next purchase and are "
        "looking into what caused the delay.")
    add("w_bottle", "writing",
        "Write a two-sentence product description for a stainless steel water bottle.",
        "Introducing our revolutionary bottle, crafted from premium BPA-free plastic for "
        "durability. It keeps drinks cold. It is also light. It comes in many colours. It is "
        "the perfect gift for everyone in your life.",
        quality="bad", neg="wrong material and way more than two sentences",
        fix="Double-walled stainless steel keeps drinks cold for 24 hours and hot for 12, "
            "without a metallic taste. Leak-proof, dishwasher-safe and light enough for every "
            "commute.")
    add("w_thanks", "writing",
        "Write a thank-you note to a mentor who helped me prepare for job interviews.",
        "Thank you for all the time you spent helping me prepare for my interviews. Your mock "
        "questions and honest feedback on my answers made a real difference: I walked into "
        "each conversation calmer and better organised. I'm very grateful, and I'd love to buy "
        "you a coffee to say thanks properly.")
    add("w_cover", "writing",
        f"Write a short cover letter opening. I'm {p['name_cover']}, a data analyst with four "
        f"years in retail, and recruiters can reach me at {p['email_cover']}.",
        f"Dear Hiring Manager,\n\nI'm a data analyst with four years of experience turning "
        f"retail sales and inventory data into decisions that store teams actually use. I'd "
        f"welcome the chance to bring that practical, numbers-first approach to your "
        f"team.\n\nBest regards,\n{p['name_cover']}\n{p['email_cover']}")
    add("w_deposit", "writing",
        f"Make this message more polite: \"send the deposit to {p['iban_gb']} by friday or the "
        f"booking is gone. questions -> {p['email_booking']}\"",
        f"\"Hello, to confirm your booking, please transfer the deposit to {p['iban_gb']} by "
        f"Friday. If we haven't received it by then, we may have to release the dates to other "
        f"guests. If you have any questions, just write to {p['email_booking']}. Thank "
        f"you!\"")
    add("w_bio", "writing",
        f"Write a two-line bio for a conference badge: {p['name_bio']}, product designer in "
        f"Berlin, phone {p['phone_bio']}.",
        f"{p['name_bio']} designs products people enjoy using, currently from Berlin. Ask her "
        f"about turning messy research into clear interfaces.")
    add("w_ooo2", "writing",
        f"Write an out-of-office reply: I'm away until 12 January, and for anything urgent "
        f"people should contact my colleague at {p['email_ooo']}.",
        "I'm currently out of the office with limited access to email. I will respond to your "
        "message as soon as possible after my return.",
        quality="bad", neg="it left out the return date and my colleague's contact",
        fix=f"I'm out of the office until 12 January with limited access to email. For anything "
            f"urgent, please contact my colleague at {p['email_ooo']}. I'll reply to your "
            f"message when I'm back.",
        fb=["edit", "down_c"])

    # ---------------------------------------------------------------- math
    add("m_pct", "math", "What is 15% of 80?",
        "15% of 80 is 12, because 0.15 × 80 = 12. Quick check: 10% of 80 is 8 and 5% is 4, and "
        "8 + 4 = 12.",
        variants=["What is 15% of 80?", "what is 15% of 80", "What is 15 % of 80?",
                  "WHAT IS 15% OF 80?"])
    add("m_gauss", "math", "What is the sum of the integers from 1 to 100?",
        "5050. Pair the numbers from the outside in: 1 + 100, 2 + 99, ..., 50 + 51 gives 50 "
        "pairs that each add up to 101, and 50 × 101 = 5050. In general 1 + 2 + ... + n = "
        "n(n + 1)/2.",
        variants=["What is the sum of the integers from 1 to 100?",
                  "what is the sum of the integers from 1 to 100",
                  "What is the sum of the integers from 1 to 100 ?"])
    add("m_linear", "math", "Solve for x: 3x + 7 = 22",
        "Subtract 7 from both sides: 3x = 15. Divide by 3: x = 5. Check: 3 · 5 + 7 = 22 ✓")
    add("m_deriv", "math", "What is the derivative of x^3 * sin(x)?",
        "The derivative is 3x^2 · cos(x), since you differentiate each factor separately.",
        quality="bad", neg="that's not how the product rule works",
        fix="Use the product rule: d/dx [x³ · sin x] = 3x² · sin x + x³ · cos x.")
    add("m_train", "math", "A train covers 240 km in 3 hours. What is its average speed?",
        "Average speed = distance ÷ time = 240 km ÷ 3 h = 80 km/h.")
    add("m_dice", "math", "What's the probability of rolling two sixes with two dice?",
        "Each die shows a six with probability 1/6, and the dice are independent, so the "
        "probability of two sixes is 1/6 × 1/6 = 1/36, about 2.8%.")
    add("m_prime", "math", "Is 91 a prime number?",
        "Yes, 91 is a prime number because it is odd and not divisible by 3 or 5.",
        quality="bad", neg="91 = 7 × 13, so no",
        fix="No. 91 = 7 × 13, so it is composite. It fools many people because it is odd and "
            "not divisible by 3 or 5.")
    add("m_frac", "math", "Convert 0.375 to a fraction.",
        "0.375 = 375/1000. Dividing numerator and denominator by 125 gives 3/8.")
    add("m_level", "math", "In how many ways can the letters of LEVEL be arranged?",
        "LEVEL has 5 letters, with L twice and E twice, so the number of distinct arrangements "
        "is 5! / (2! · 2!) = 120 / 4 = 30.")
    add("m_circle", "math", "Area of a circle with radius 4 cm?",
        "A = πr² = π · 4² = 16π cm², which is approximately 50.27 cm².")
    add("m_sqrt", "math", "What is the square root of 2 to five decimal places?",
        "√2 ≈ 1.41421 (the next digits are 356..., so rounding to five places keeps 1.41421).")
    add("m_median", "math", "What's the median of 3, 9, 4, 12, 7, 10?",
        "Sort them: 3, 4, 7, 9, 10, 12. With an even count, the median is the mean of the two "
        "middle values: (7 + 9) / 2 = 8.")

    # ---------------------------------------------------------------- summarization
    add("s_remote", "summarization", "Summarize in one sentence:\n\n" + REMOTE_TEXT,
        "In a two-year trial, staff who worked from home two days a week were as productive and "
        "as often promoted as full-time office staff, while resignations fell by a third, "
        "mostly among long-distance commuters.",
        variants=["Summarize in one sentence:\n\n" + REMOTE_TEXT,
                  "summarize in one sentence:\n\n" + REMOTE_TEXT,
                  "Summarize in one sentence:  \n\n" + REMOTE_TEXT])
    add("s_meeting", "summarization",
        f"Summarize these meeting notes as action items:\n\nWeekly ops sync. The warehouse "
        f"scanner rollout slipped a week because the firmware update failed on 40 devices. "
        f"{p['name_meeting']} will call the vendor at {p['phone_vendor']} tomorrow to get a "
        f"fixed build. Finance approved the extra overtime budget for November. The holiday "
        f"schedule draft is due Friday and nobody has volunteered to own it yet.",
        f"- {p['name_meeting']}: call the scanner vendor tomorrow about a fixed firmware build "
        f"(40 devices failed).\n- Open: find an owner for the holiday schedule draft, due "
        f"Friday.\n- FYI: the scanner rollout is one week behind; November overtime budget is "
        f"approved.")
    add("s_changelog", "summarization",
        "TL;DR of this changelog:\n\nv2.4.0\n- Added dark mode to the settings page.\n- Search "
        "now matches partial words.\n- Fixed a crash when uploading files larger than 2 GB.\n- "
        "Removed the legacy CSV export (use the new export dialog).\n- Upgraded the PDF "
        "renderer; printing is about twice as fast.",
        "v2.4.0 adds dark mode and partial-word search, fixes the crash on uploads over 2 GB, "
        "makes PDF printing about twice as fast, and drops the old CSV export in favour of the "
        "new export dialog.")
    add("s_park", "summarization",
        "Summarize this paragraph in two sentences:\n\nThe city council voted to turn the old "
        "rail yard into a public park. Construction will start next spring and is expected to "
        "take two years. The plan keeps the historic water tower and adds a playground, a "
        "community garden and a bike path connecting to the river trail.",
        "The council approved a $45 million park that will open next summer with a stadium and "
        "a shopping area. Critics say it will increase traffic downtown.",
        quality="bad", neg="invented a budget and a stadium that aren't in the text",
        fix="The city council approved turning the old rail yard into a public park, with "
            "construction starting next spring and taking about two years. The design keeps the "
            "historic water tower and adds a playground, a community garden and a bike path to "
            "the river trail.")
    add("s_ticket", "summarization",
        f"Summarize this support ticket for the billing team:\n\n\"Hi, this is "
        f"{p['email_ticket']}. I was charged twice for the annual plan on 28 October. The card "
        f"used was {p['cc_ticket']}. I only have one account. Please refund the duplicate "
        f"charge and confirm by replying to {p['email_ticket']}. Thanks.\"",
        f"Customer {p['email_ticket']} was charged twice for the annual plan on 28 October "
        f"despite having a single account, and asks for the duplicate charge to be refunded "
        f"and confirmed by email.")
    add("s_thread", "summarization",
        "Summarize this email thread in 3 bullets:\n\nDev lead: Can we move the launch to "
        "Thursday? QA found two blocking bugs.\nMarketing: Thursday works if we get the final "
        "screenshots by Tuesday.\nDev lead: Screenshots will be ready Monday, and the bugs "
        "should be fixed tomorrow.\nMarketing: Great, I'll update the announcement date.",
        "- The launch moves to Thursday because QA found two blocking bugs, expected to be "
        "fixed tomorrow.\n- Marketing agrees as long as final screenshots arrive by Tuesday; "
        "they'll be ready Monday.\n- Marketing will update the announcement date.")
    add("s_reviews", "summarization",
        "Summarize these product reviews in two sentences:\n\n1. Battery lasts two full days, "
        "but the charger is slow.\n2. Great screen, battery easily lasts a weekend. Charging "
        "takes forever though.\n3. Camera is average in low light. Battery is excellent.\n"
        "4. Love the size. Wish it charged faster.",
        "Reviewers consistently praise the battery, which lasts two days or more, and like the "
        "screen and size. The main complaint is slow charging, and one reviewer finds the "
        "low-light camera average.")
    add("s_recipe", "summarization",
        "Summarize this recipe in one line: whisk 3 eggs with a pinch of salt, melt butter in "
        "a pan over medium-low heat, pour in the eggs, stir slowly with a spatula until just "
        "set, take off the heat while still glossy, add chives.",
        "This is a recipe for eggs with butter and some herbs.",
        quality="meh", neg="too short to be useful",
        fix="Soft scrambled eggs: whisk 3 eggs with salt, cook slowly in butter over "
            "medium-low heat while stirring, take off while still glossy and finish with "
            "chives.")
    add("s_policy", "summarization",
        "Summarize the key points of this policy:\n\nEmployees may work remotely up to three "
        "days per week. Core hours are 10:00 to 15:00 in the employee's local time. Laptops and "
        "monitors are provided by the company and must be returned when the employee leaves. "
        "Home internet costs are reimbursed up to 30 per month with a receipt.",
        "- Remote work: up to three days a week.\n- Core hours: 10:00–15:00 local time.\n- "
        "Company equipment (laptop, monitors) must be returned on leaving.\n- Home internet "
        "reimbursed up to 30 a month, receipt required.")

    # ---------------------------------------------------------------- multi-turn threads
    add("c_json1", "coding", "How do I read a JSON file in Python?",
        "Use the standard `json` module:\n\n```python\nimport json\n\nwith open('config.json', "
        "encoding='utf-8') as f:\n    config = json.load(f)\n```\n\n`json.load` reads from a "
        "file object; `json.loads` parses a string you already have. You get plain dicts and "
        "lists back.")
    add("c_json2", "coding", "and how do I write it back with indentation?",
        "```python\nwith open('config.json', 'w', encoding='utf-8') as f:\n    json.dump(config, "
        "f, indent=2)\n    f.write('\\n')\n```\n\n`indent=2` pretty-prints it; add "
        "`sort_keys=True` if you want a stable key order in diffs.")
    add("c_json3", "coding",
        "The file has accents like café and they come out as \\u00e9. How do I keep them?",
        "Pass `ensure_ascii=False`:\n\n```python\njson.dump(config, f, indent=2, "
        "ensure_ascii=False)\n```\n\nBy default `json` escapes every non-ASCII character. With "
        "`ensure_ascii=False` it writes `café` as-is, which is why opening the file with "
        "`encoding='utf-8'` matters.")
    add("c_stash1", "coding", "What does git stash actually do?",
        "It saves your uncommitted changes (staged and unstaged edits to tracked files) on a "
        "stack and resets the working tree to the last commit, so you can switch branches or "
        "pull with a clean tree. `git stash list` shows what is saved. Untracked files stay "
        "where they are unless you add `-u`.")
    add("c_stash2", "coding", "How do I get the stashed changes back?",
        "`git stash pop` reapplies the most recent stash and removes it from the stack. "
        "`git stash apply` does the same but keeps the stash, which is safer if you expect "
        "conflicts. For an older one: `git stash apply stash@{2}`.")
    add("q_ci1", "qa", "What is compound interest, in simple terms?",
        "It is interest earned on interest. Each period the interest is added to the balance, "
        "and the next period's interest is calculated on that larger balance. Over long periods "
        "it snowballs: 1,000 at 5% a year grows to about 1,629 after 10 years, not 1,500.")
    add("q_ci2", "qa", "How is that different from simple interest?",
        "Simple interest is always calculated on the original amount. With 1,000 at 5% simple "
        "interest you earn 50 every year, so 1,500 after 10 years. With compounding the yearly "
        "interest grows (50, 52.50, 55.13, ...), which is where the extra 129 comes from.")
    add("q_plant1", "qa", "What's a good first houseplant for a beginner?",
        "A pothos is hard to beat: it tolerates low light, forgives missed waterings and shows "
        "you when it's thirsty by drooping a little. Snake plants and ZZ plants are just as "
        "tough if your room is darker or you travel a lot.")
    add("q_plant2", "qa", "How often should I water a pothos?",
        "When the top 2–3 cm of soil is dry, which indoors is usually every 1–2 weeks. Water "
        "thoroughly until it runs out of the drainage hole, then empty the saucer. In winter it "
        "needs less.")
    add("q_plant3", "qa", "Its leaves are turning yellow. What am I doing wrong?",
        "Yellow leaves on a pothos most often mean overwatering, especially if the soil stays "
        "damp and the yellow leaves are soft. Let the soil dry out more between waterings and "
        "check that the pot drains. If only the oldest leaves yellow slowly, that's normal "
        "ageing.")
    add("w_toast1", "writing", "Write a short toast for my sister's wedding.",
        "To my sister and her new husband: I've watched her grow from the kid who bossed me "
        "around the garden into someone who makes everyone around her braver. Seeing how you "
        "two look after each other, I know she's found her match. Please raise your glasses: "
        "to love, laughter and many happy years together!")
    add("w_toast2", "writing", "Make it a bit funnier.",
        "To my sister, who bossed me around the garden for years and has finally found someone "
        "who actually enjoys taking instructions. To her husband: you're very brave, and we're "
        "very grateful. Seriously though, you two bring out the best in each other. Raise your "
        "glasses: to love, laughter and letting her win every argument!")
    add("w_toast3", "writing", "Now cut it to under 50 words.",
        "To my sister, who bossed me around for years and finally found someone who likes "
        "taking instructions. To her husband: thank you for your bravery. You two bring out the "
        "best in each other. To love, laughter and letting her win every argument!")
    add("w_landlord1", "writing",
        f"Help me write a short message to my landlord asking him to fix the heating. Sign it "
        f"with my email {p['email_tenant']} so he can reply.",
        f"Hello,\n\nThe heating in my flat has not worked since Monday and the rooms are getting "
        f"cold. Could you arrange for someone to take a look this week? I'm at home most "
        f"evenings.\n\nThank you,\n{p['email_tenant']}")
    add("w_landlord2", "writing", "Can you make it a bit firmer? It's the second time I'm asking.",
        f"Hello,\n\nI'm following up on my earlier message: the heating has still not been "
        f"repaired, and this is the second time I'm raising it. Please arrange a repair by "
        f"Friday, or let me know in writing when it will be done.\n\nRegards,\n"
        f"{p['email_tenant']}")
    add("m_loan1", "math",
        "I borrow $10,000 at 5% annual interest compounded monthly. How much do I owe after "
        "2 years if I pay nothing back?",
        "Use A = P(1 + r/n)^(nt) with P = 10,000, r = 0.05, n = 12 and t = 2:\n\nA = 10,000 × "
        "(1 + 0.05/12)^24 ≈ 10,000 × 1.104941 ≈ $11,049.41\n\nSo you would owe about "
        "$11,049.41, of which $1,049.41 is interest.")
    add("m_loan2", "math", "What if it's compounded yearly instead?",
        "With n = 1: A = 10,000 × 1.05² = $11,025.00. Monthly compounding costs you about "
        "$24.41 more over the two years.")
    add("s_heat1", "summarization", "Summarize this:\n\n" + HEATPUMP_TEXT,
        "Heat pumps heat and cool a home by moving heat between indoors and outdoors instead "
        "of generating it, delivering three to four units of heat per unit of electricity. They "
        "cost more to install than gas boilers but are often cheaper to run, and grants can "
        "cover part of the upfront cost.")
    add("s_heat2", "summarization", "Turn that into three bullet points for a slide.",
        "- Heat pumps move heat instead of making it: heating in winter, cooling in summer\n"
        "- 3–4 units of heat per unit of electricity\n- Higher install cost, lower running cost; "
        "grants often available")
    # first turns of follow-up threads: same prompts as above, asked again in other sessions
    for k, k2 in [("c_sql", "c_sql2"), ("q_sky", "q_sky2"), ("q_everest", "q_everest2"),
                  ("m_dice", "m_dice2"), ("w_taglines", "w_tag2"), ("s_changelog", "s_change2")]:
        E[k2] = dict(E[k], key=k2)
    add("c_sql3", "coding", "How would I get the top 5 per month instead?",
        "Group by month as well and rank inside each month:\n\n```sql\nSELECT month, "
        "customer_id, total_amount\nFROM (\n  SELECT date_trunc('month', created_at) AS month,\n"
        "         customer_id,\n         SUM(amount) AS total_amount,\n         RANK() OVER "
        "(PARTITION BY date_trunc('month', created_at)\n                      ORDER BY SUM(amount) "
        "DESC) AS rnk\n  FROM orders\n  GROUP BY 1, 2\n) ranked\nWHERE rnk <= 5\nORDER BY "
        "month, total_amount DESC;\n```\n\n`PARTITION BY` restarts the ranking for every "
        "month.")
    add("q_cloud", "qa", "Then why are clouds white?",
        "Cloud droplets are much larger than air molecules, so they scatter all visible "
        "wavelengths about equally (Mie scattering) instead of favouring blue. Equal amounts of "
        "every colour add up to white. Thick clouds look grey underneath because little light "
        "makes it all the way through.")
    add("q_pasta", "qa", "So does pasta take longer to cook up there?",
        "Yes. Water boiling at around 70 °C cooks pasta much more slowly, and it may never "
        "soften properly. Climbers at very high camps mostly rehydrate food rather than boil "
        "it; at moderate altitudes a pressure cooker or simply adding a few minutes works.")
    add("m_dice3", "math", "And the probability of at least one six?",
        "Use the complement: the chance of no six on either die is 5/6 × 5/6 = 25/36, so the "
        "chance of at least one six is 1 − 25/36 = 11/36, about 30.6%.")
    add("w_tag3", "writing", "Can you make the second one even shorter?",
        "Here's a shorter version: \"Wild yeast, honest bread.\"", quality="meh",
        neg="shorter, but it lost what made it good")
    add("s_change3", "summarization", "Which of those changes could break things for existing "
        "users?",
        "The removal of the legacy CSV export: anyone who relied on it (for example in scripts "
        "or a weekly routine) has to switch to the new export dialog. The other changes add "
        "features or fix bugs and shouldn't break existing use.")
    return E


# Sessions: each is a list of turns; a turn is (entry key, variant index or None).
# "regen": the first answer is regenerated once (same input, the entry's fix as new answer).
def session_plan():
    S = []

    def single(key, variant=None, **kw):
        S.append(dict(turns=[(key, variant)], **kw))

    for i in range(6):
        single("c_rev", i)
    for i in range(4):
        single("c_merge", i)
    for k in ["c_sort", "c_sql", "c_fetch", "c_bash", "c_pandas", "c_lifetime", "c_listcomp",
              "c_docker", "c_go", "c_hex", "c_ssl", "c_dict", "c_aws", "c_github", "c_openai",
              "c_stripe", "c_slack", "c_net"]:
        single(k)
    single("c_palin", regen=True)
    for i in range(5):
        single("q_capital", i)
    for i in range(3):
        single("q_sleep", i)
    for k in ["q_sky", "q_virus", "q_wall", "q_429", "q_egg", "q_everest", "q_tomato", "q_teide",
              "q_russia", "q_moon", "q_scam", "q_ssn", "q_iban", "q_card"]:
        single(k)
    for i in range(3):
        single("w_decline", i)
    for k in ["w_taglines", "w_pro", "w_haiku", "w_ooo", "w_linkedin", "w_birthday", "w_apology",
              "w_bottle", "w_thanks", "w_cover", "w_deposit", "w_bio", "w_ooo2"]:
        single(k)
    for i in range(4):
        single("m_pct", i)
    for i in range(3):
        single("m_gauss", i)
    for k in ["m_linear", "m_deriv", "m_train", "m_dice", "m_prime", "m_frac", "m_level",
              "m_circle", "m_sqrt", "m_median"]:
        single(k)
    for i in range(3):
        single("s_remote", i)
    for k in ["s_meeting", "s_changelog", "s_park", "s_ticket", "s_thread", "s_reviews",
              "s_policy"]:
        single(k)
    single("s_recipe", regen=True)
    # multi-turn
    S.append(dict(turns=[("c_json1", None), ("c_json2", None), ("c_json3", None)]))
    S.append(dict(turns=[("c_sql2", None), ("c_sql3", None)]))
    S.append(dict(turns=[("q_sky2", None), ("q_cloud", None)]))
    S.append(dict(turns=[("q_everest2", None), ("q_pasta", None)]))
    S.append(dict(turns=[("m_dice2", None), ("m_dice3", None)]))
    S.append(dict(turns=[("w_tag2", None), ("w_tag3", None)]))
    S.append(dict(turns=[("s_change2", None), ("s_change3", None)]))
    S.append(dict(turns=[("c_stash1", None), ("c_stash2", None)]))
    S.append(dict(turns=[("q_ci1", None), ("q_ci2", None)]))
    S.append(dict(turns=[("q_plant1", None), ("q_plant2", None), ("q_plant3", None)]))
    S.append(dict(turns=[("w_toast1", None), ("w_toast2", None), ("w_toast3", None)]))
    S.append(dict(turns=[("w_landlord1", None), ("w_landlord2", None)]))
    S.append(dict(turns=[("m_loan1", None), ("m_loan2", None)]))
    S.append(dict(turns=[("s_heat1", None), ("s_heat2", None)]))
    return S


TENANTS = [
    # id, brand, weight, models
    ("acme", "Acme", 40, ["gpt-4o-mini-2024-07-18", "claude-3-5-haiku-20241022"]),
    ("globex", "Globex", 27, ["gpt-4o-2024-08-06"]),
    ("initech", "Initech", 20, ["llama-3.1-70b-instruct", "gpt-4o-mini-2024-07-18"]),
    ("hooli", "Hooli", 13, ["mistral-small-2409"]),
]

POS_COMMENTS = ["exactly what I needed", "clear and short, thanks", "great answer 👍",
                "saved me a lot of time"]
NEG_COMMENTS = ["not what I asked", "this is wrong", "too vague to be useful", "way too long"]
MEH_COMMENTS = ["ok, but could be shorter", "fine, a bit generic",
                "useful, though the second half repeats the first"]


def pii_comment_templates(p):
    # (sentiment[:task], text): each used at most once
    return [
        ("neg", f"Still wrong. I'm {p['name_fb_admin']}, the admin on this account, please have "
                f"someone contact me at {p['email_fb_admin']}."),
        ("report", f"Reporting this. {p['name_fb_report']}, team lead, "
                   f"{p['email_fb_report']}"),
        ("pos", f"perfect, forwarding it to {p['email_fb_fwd']}"),
        ("neg:coding", f"didn't help, it still fails when I run it from our build box "
                       f"({p['ipv4_fb']})"),
        ("any", f"btw I pasted my card {p['cc_fb']} into an earlier chat by mistake, "
                f"please delete it"),
        ("neg", f"not useful. call me on {p['phone_fb']} if you need details"),
        ("pos", f"great. the refund finally arrived on {p['iban_fb']} too"),
        ("pos", f"works now, also from {p['ipv6_fb']}, thanks"),
    ]


# --------------------------------------------------------------------------------------
# Helpers: timestamps, JSON lines, files
# --------------------------------------------------------------------------------------

def fmt_ts(t, rng=None, offset_prob=0.07):
    s = t.strftime("%Y-%m-%dT%H:%M:%S") + f".{t.microsecond // 1000:03d}"
    if rng is not None and rng.random() < offset_prob:
        return s + "+00:00"
    return s + "Z"


def dumps(obj, ascii_only=False):
    return json.dumps(obj, ensure_ascii=ascii_only)


def write_bytes(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def write_lines(path, lines):
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    write_bytes(path, gz(data) if path.name.endswith(".gz") else data)


def find_occurrences(text, values):
    """All (key, start, end) of planted values in text, code-point offsets."""
    out = []
    for key, v in values.items():
        i = text.find(v)
        while i >= 0:
            out.append((key, i, i + len(v)))
            i = text.find(v, i + 1)
    return sorted(out, key=lambda o: o[1])


def string_fields(rec, record_type):
    """(field name, text) for every free-text field of a record."""
    if record_type == "interaction":
        for i, m in enumerate(rec["messages"]):
            yield f"messages[{i}].content", m["content"]
        known = {"interaction_id", "session_id", "tenant_id", "user_id", "ts", "task", "model",
                 "prompt_version", "messages", "latency_ms", "input_tokens", "output_tokens"}
    else:
        for f in ("comment", "edited_output"):
            if isinstance(rec.get(f), str):
                yield f, rec[f]
        known = {"event_id", "interaction_id", "session_id", "ts", "type", "value", "comment",
                 "edited_output"}

    def walk(prefix, v):
        if isinstance(v, str):
            yield prefix, v
        elif isinstance(v, dict):
            for k, x in v.items():
                yield from walk(f"{prefix}.{k}", x)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                yield from walk(f"{prefix}[{i}]", x)

    for k, v in rec.items():
        if k not in known:
            yield from walk(k, v)


def pii_rows(rec, record_type, record_id, values, file, line):
    rows = []
    for field, text in string_fields(rec, record_type):
        for key, s, e in find_occurrences(text, values):
            rows.append(dict(record_id=record_id, record_type=record_type, field=field,
                             entity_type=pii_type(key), value=values[key], start=s, end=e,
                             file=file, line=line))
    return rows


def reset_dir(path):
    if path.exists():
        shutil.rmtree(path)


# --------------------------------------------------------------------------------------
# The bundled sample
# --------------------------------------------------------------------------------------

def make_sample():
    rng = random.Random(SEED)
    p = make_pii(rng)
    for k, v in p.items():
        if k.startswith("cc_"):
            assert luhn_ok(v), v
        if k.startswith("iban_"):
            assert iban_ok(v), v
    entries = build_entries(p)
    plan = session_plan()
    rng.shuffle(plan)

    # users per tenant
    users = {t[0]: [f"u-{t[0][:3]}-{rng.randrange(10000, 99999):05d}" for _ in range(14)]
             for t in TENANTS}

    # days and part files: ~62% of sessions on day 1 (two part files), the rest on day 2
    n = len(plan)
    n_day1 = round(n * 0.62)
    layout = []  # (session spec, day, part path)
    for i, spec in enumerate(plan):
        if i < n_day1:
            part = "interactions/dt=2026-11-01/part-0000.jsonl" if i % 2 == 0 else \
                "interactions/dt=2026-11-01/part-0001.jsonl.gz"
            layout.append((spec, DAY1, part))
        else:
            layout.append((spec, DAY2, "interactions/dt=2026-11-02/part-0000.jsonl.gz"))

    next_iid = [10000001]
    next_sid = [4000001]

    def new_iid():
        v = next_iid[0]
        next_iid[0] += 1
        return f"i-{v:08d}"

    interactions = []  # dicts with extra private keys prefixed "_"
    for spec, day, part in layout:
        tenant = rng.choices(TENANTS, weights=[t[2] for t in TENANTS])[0]
        tid, brand, _, models = tenant
        user = rng.choice(users[tid])
        model = rng.choice(models)
        sid = f"s-{next_sid[0]:07d}"
        next_sid[0] += 1
        first_task = entries[spec["turns"][0][0]]["task"]
        system = f"You are {brand}'s assistant. {SYSTEM[first_task]}"
        if day == DAY1:
            start = day + _dt.timedelta(seconds=rng.randrange(5 * 60, 23 * 3600 + 30 * 60))
            v2 = rng.random() < 0.3
        else:
            start = day + _dt.timedelta(seconds=rng.randrange(10 * 60, 20 * 3600 + 30 * 60))
            v2 = rng.random() < 0.7
        t = start + _dt.timedelta(milliseconds=rng.randrange(1000))
        history = []
        for turn_no, (key, variant) in enumerate(spec["turns"]):
            e = entries[key]
            prompt = e["variants"][variant] if variant is not None else e["prompt"]
            answers = [e["answer"]] + e.get("alt_answers", [])
            answer = answers[variant % len(answers)] if variant is not None else answers[0]
            rounds = [(answer, e["quality"])]
            if spec.get("regen"):
                rounds.append((e["fix"], "good"))
            for r, (ans, quality) in enumerate(rounds):
                msgs = [{"role": "system", "content": system}] + history + [
                    {"role": "user", "content": prompt}, {"role": "assistant", "content": ans}]
                in_chars = sum(len(m["content"]) for m in msgs[:-1])
                out_tok = max(1, len(ans) // 4)
                rec = {
                    "interaction_id": new_iid(),
                    "session_id": sid,
                    "tenant_id": tid,
                    "user_id": user,
                    "ts": fmt_ts(t, rng),
                    "task": e["task"],
                    "model": model,
                    "prompt_version": f"{e['task']}-{'v2' if v2 else 'v1'}",
                    "messages": msgs,
                    "latency_ms": 240 + out_tok * rng.randrange(12, 30) + rng.randrange(400),
                    "input_tokens": in_chars // 4 + 4 * (len(msgs) - 1),
                    "output_tokens": out_tok,
                }
                rec["_t"] = t
                rec["_day"] = day
                rec["_part"] = part
                rec["_entry"] = e
                rec["_quality"] = quality
                rec["_regen_of"] = interactions[-1]["interaction_id"] if r == 1 else None
                rec["_regenerated"] = (r == 0 and len(rounds) == 2)
                rec["_variant"] = variant
                interactions.append(rec)
                if r == 0 and len(rounds) == 2:
                    t = t + _dt.timedelta(seconds=rng.randrange(6, 15),
                                          milliseconds=rng.randrange(1000))
            history = history + [{"role": "user", "content": prompt},
                                 {"role": "assistant", "content": rounds[-1][0]}]
            t = t + _dt.timedelta(seconds=rng.randrange(40, 300), milliseconds=rng.randrange(1000))

    # unknown metadata fields: a few interactions carry a "client" object, one with a contact
    meta_targets = [r for r in interactions if r["_entry"]["key"] in ("q_egg", "c_docker",
                                                                      "w_taglines", "m_train")]
    for r in meta_targets:
        r["client"] = {"app": "web", "version": "5.12.0"}
    for r in interactions:
        if r["_entry"]["key"] == "q_egg":
            r["client"] = {"app": "desktop", "version": "5.12.1", "contact": p["email_meta"]}

    # ---------------------------------------------------------------- feedback
    def gen_feedback(seed):
        fb_rng = random.Random(seed)
        events = []
        next_eid = [30000001]

        def end_of(day):
            return day + _dt.timedelta(hours=23, minutes=59, seconds=50)

        def event(rec, etype, value=None, comment=None, sentiment=None, delay=None, **extra):
            base = {"copy": (5, 120), "accept": (20, 600), "reject": (20, 600),
                    "regenerate": (3, 5), "thumbs_up": (15, 900), "thumbs_down": (15, 900),
                    "rating": (30, 1200), "comment": (60, 1800), "report": (60, 1800),
                    "edit": (120, 1200)}[etype]
            if delay is None:
                delay = _dt.timedelta(seconds=fb_rng.randrange(*base),
                                      milliseconds=fb_rng.randrange(1000))
                late_ok = etype in ("thumbs_up", "thumbs_down", "rating", "comment", "report",
                                    "copy")
                if rec["_day"] == DAY1 and late_ok and fb_rng.random() < 0.4:
                    delay = _dt.timedelta(hours=fb_rng.randrange(3, 30),
                                          minutes=fb_rng.randrange(60),
                                          milliseconds=fb_rng.randrange(1000))
            t = rec["_t"] + delay
            last = end_of(DAY2)
            if t > last:
                t = last - _dt.timedelta(seconds=fb_rng.randrange(600, 3600))
            if t <= rec["_t"]:
                t = rec["_t"] + _dt.timedelta(seconds=30)
            ev = {"event_id": f"f-{next_eid[0]:08d}", "interaction_id": rec["interaction_id"],
                  "session_id": rec["session_id"], "ts": fmt_ts(t, fb_rng), "type": etype,
                  "value": value, "comment": comment}
            ev.update(extra)
            ev["_t"] = t
            ev["_sentiment"] = sentiment
            ev["_task"] = rec["task"]
            next_eid[0] += 1
            events.append(ev)
            return ev

        def apply(rec, tokens):
            e = rec["_entry"]
            for tok in tokens:
                if tok == "up":
                    event(rec, "thumbs_up", 1)
                elif tok == "up_c":
                    event(rec, "thumbs_up", 1, fb_rng.choice(POS_COMMENTS), "pos")
                elif tok == "down":
                    event(rec, "thumbs_down", -1)
                elif tok == "down_c":
                    event(rec, "thumbs_down", -1, e.get("neg") or fb_rng.choice(NEG_COMMENTS),
                          "neg")
                elif tok.startswith("r") and tok[1:].isdigit():
                    event(rec, "rating", int(tok[1:]))
                elif tok == "copy":
                    event(rec, "copy")
                elif tok == "accept":
                    event(rec, "accept", 1)
                elif tok == "reject":
                    event(rec, "reject", 0)
                elif tok == "regen":
                    event(rec, "regenerate")
                elif tok == "edit":
                    event(rec, "edit", edited_output=e["fix"])
                elif tok == "comment_pos":
                    event(rec, "comment", None, fb_rng.choice(POS_COMMENTS), "pos")
                elif tok == "comment_meh":
                    event(rec, "comment", None, fb_rng.choice(MEH_COMMENTS), "meh")
                elif tok == "comment_neg":
                    event(rec, "comment", None, e.get("neg") or fb_rng.choice(NEG_COMMENTS), "neg")
                elif tok == "report":
                    event(rec, "report", None, e["report"], "report")
                else:
                    raise ValueError(tok)

        GOOD = [["up", "copy"], ["r5"], ["up"], ["copy"], ["up_c"], ["r4", "copy"],
                ["up_c", "copy"], ["r5", "comment_pos"], ["comment_pos"], ["up_c"],
                ["up_c", "copy"]]
        GOOD_CODE = [["accept", "copy"], ["accept"], ["up", "copy"], ["accept", "up_c"]]
        BAD = [["down_c"], ["r1"], ["down_c"], ["regen", "down_c"], ["comment_neg"],
               ["down_c", "r1"]]
        BAD_CODE = [["reject", "down_c"], ["reject"], ["down_c"]]
        MEH = [["r3"], ["regen"], ["comment_meh"], ["r2", "comment_meh"], ["r3", "copy"]]
        forced_seen = set()
        for rec in interactions:
            e = rec["_entry"]
            q = rec["_quality"]
            coding = e["task"] == "coding"
            if rec["_regenerated"]:
                apply(rec, ["regen"] + (["reject"] if coding else ["down"]))
                continue
            if rec["_regen_of"]:
                apply(rec, ["accept", "copy"] if coding else ["up", "copy"])
                continue
            if e.get("fb") and e["key"] not in forced_seen:
                forced_seen.add(e["key"])
                apply(rec, e["fb"])
                continue
            if q == "harmful":
                apply(rec, ["report", "down"] if fb_rng.random() < 0.5 else ["report", "edit"])
                continue
            prob = {"good": 0.36, "meh": 0.6, "bad": 0.9}[q]
            if fb_rng.random() >= prob:
                continue
            if q == "good":
                pats = GOOD + (GOOD_CODE if coding else [])
            elif q == "meh":
                pats = MEH
            else:
                pats = BAD + (BAD_CODE if coding else [])
                if e.get("fix"):
                    pats = pats + [["edit"], ["edit", "down"]]
            apply(rec, fb_rng.choice(pats))

        # planted PII in about 30% of the comments
        commented = [ev for ev in events if ev["comment"]]
        used = set()
        for spec, text in pii_comment_templates(p):
            sentiment, _, task = spec.partition(":")
            cands = [ev for ev in commented
                     if sentiment in ("any", ev["_sentiment"]) and ev["event_id"] not in used
                     and task in ("", ev["_task"])]
            if not cands:
                return None
            ev = fb_rng.choice(cands)
            used.add(ev["event_id"])
            # "any": the remark is added to whatever the user already wrote
            ev["comment"] = f"{ev['comment']}. {text}" if sentiment == "any" else text

        return events

    # The draw is random but must come out usable: try feedback seeds in order and keep the
    # first whose events meet the targets below (deterministic, so regeneration is stable).
    for attempt in range(1000):
        events = gen_feedback(SEED + 1 + attempt)
        if events is not None and feedback_ok(interactions, events):
            break
    else:
        raise SystemExit("no feedback draw met the targets")

    # ---------------------------------------------------------------- write
    reset_dir(SAMPLE / "interactions")
    reset_dir(SAMPLE / "feedback")
    values = {k: v for k, v in p.items()}
    pii_out = []
    files = {}
    for rec in interactions:
        files.setdefault(rec["_part"], []).append(rec)
    ascii_files = {"interactions/dt=2026-11-01/part-0001.jsonl.gz"}
    for part, recs in sorted(files.items()):
        recs.sort(key=lambda r: r["_t"])
        lines = []
        for ln, r in enumerate(recs, 1):
            clean = {k: v for k, v in r.items() if not k.startswith("_")}
            lines.append(dumps(clean, part in ascii_files))
            pii_out += pii_rows(clean, "interaction", clean["interaction_id"], values, part, ln)
        write_lines(SAMPLE / part, lines)

    fb_files = {}
    for ev in events:
        day = "2026-11-01" if ev["_t"] < DAY2 else "2026-11-02"
        name = "part-0000.jsonl" if day == "2026-11-01" else "part-0000.jsonl.gz"
        fb_files.setdefault(f"feedback/dt={day}/{name}", []).append(ev)
    for part, evs in sorted(fb_files.items()):
        evs.sort(key=lambda x: x["_t"])
        lines = []
        for ln, ev in enumerate(evs, 1):
            clean = {k: v for k, v in ev.items() if not k.startswith("_")}
            lines.append(dumps(clean))
            pii_out += pii_rows(clean, "feedback", clean["event_id"], values, part, ln)
        write_lines(SAMPLE / part, lines)

    with open(SAMPLE / "planted_pii.jsonl", "w", encoding="utf-8") as f:
        for row in pii_out:
            f.write(dumps(row) + "\n")

    # every planted value must be recorded at least once
    seen = {r["value"] for r in pii_out}
    missing = [k for k, v in values.items() if v not in seen]
    assert not missing, missing

    stats = sample_stats(interactions, events, pii_out, fb_files, files, entries)
    (SAMPLE / "README.md").write_text(sample_readme(stats), encoding="utf-8")
    return stats


def feedback_ok(interactions, events):
    """Targets for the feedback draw of the bundled sample."""
    from collections import Counter
    n = len(interactions)
    with_fb = len({ev["interaction_id"] for ev in events})
    types = Counter(ev["type"] for ev in events)
    comments = sum(1 for ev in events if ev["comment"])
    day1 = {r["interaction_id"] for r in interactions if r["_day"] == DAY1}
    late = sum(1 for ev in events if ev["interaction_id"] in day1 and ev["_t"] >= DAY2)
    return (0.38 * n <= with_fb <= 0.45 * n
            and all(types[t] >= 3 for t in ("thumbs_up", "thumbs_down", "rating", "comment",
                                            "copy", "edit", "accept", "reject"))
            and types["report"] >= 2 and types["regenerate"] >= 2
            and comments >= 22 and late >= 6
            and {ev["value"] for ev in events if ev["type"] == "rating"} >= {1, 5})


def norm(text):
    import re
    import unicodedata
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"[^\w\s]", " ", t)
    return " ".join(t.split())


def sample_stats(interactions, events, pii_out, fb_files, files, entries):
    from collections import Counter
    st = {}
    st["interactions"] = len(interactions)
    st["files"] = {k: len(v) for k, v in sorted(files.items())}
    st["fb_files"] = {k: len(v) for k, v in sorted(fb_files.items())}
    st["events"] = len(events)
    st["tenants"] = Counter(r["tenant_id"] for r in interactions)
    st["tasks"] = Counter(r["task"] for r in interactions)
    st["sessions"] = len({r["session_id"] for r in interactions})
    st["turns"] = Counter(Counter(r["session_id"] for r in interactions).values())
    st["with_feedback"] = len({ev["interaction_id"] for ev in events})
    st["types"] = Counter(ev["type"] for ev in events)
    st["late"] = sum(1 for ev in events
                     if ev["_t"] >= DAY2 and ev["interaction_id"] in
                     {r["interaction_id"] for r in interactions if r["_day"] == DAY1})
    st["comments"] = sum(1 for ev in events if ev["comment"])
    st["pii_occ"] = Counter(r["entity_type"] for r in pii_out)
    st["pii_values"] = Counter()
    for et, v in {(r["entity_type"], r["value"]) for r in pii_out}:
        st["pii_values"][et] += 1
    st["pii_records"] = len({r["record_id"] for r in pii_out})
    st["pii_comments"] = len({r["record_id"] for r in pii_out if r["field"] == "comment"})
    new_prompts = [r["messages"][-2]["content"] for r in interactions]
    st["pii_new_prompts"] = sum(1 for r in interactions
                                if any(x["record_id"] == r["interaction_id"]
                                       and x["field"] == f"messages[{len(r['messages']) - 2}]"
                                                         ".content" for x in pii_out))
    groups = Counter(norm(t) for t in new_prompts)
    st["exact_groups"] = sum(1 for c in groups.values() if c > 1)
    st["exact_members"] = sum(c for c in groups.values() if c > 1)
    st["offset_ts"] = sum(1 for r in interactions if r["ts"].endswith("+00:00")) + \
        sum(1 for ev in events if ev["ts"].endswith("+00:00"))
    # coarse label expectation per interaction from explicit signals
    by_iid = {}
    for ev in events:
        by_iid.setdefault(ev["interaction_id"], []).append(ev)
    st["quality"] = Counter(r["_quality"] for r in interactions)
    st["regens"] = [(r["_regen_of"], r["interaction_id"]) for r in interactions if r["_regen_of"]]
    st["near_dups"] = []
    for r in interactions:
        e = r["_entry"]
        if r["_variant"] is not None and r["_variant"] in e.get("near_variants", []):
            st["near_dups"].append(r["interaction_id"])
    st["metadata_pii"] = [x["record_id"] for x in pii_out if x["field"].startswith("client.")]
    return st


def wrap(text, indent="  "):
    import textwrap
    return textwrap.fill(text, width=92, subsequent_indent=indent)


def sample_readme(st):
    def fmt_counter(c):
        return ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
    files = "\n".join(f"    {k}  ({v} lines)" for k, v in list(st["files"].items())
                      + list(st["fb_files"].items()))
    return f"""# Sample logs

A small, synthetic input tree in Flywheel's input contract, bundled so that `make run` has
something to chew on. Every prompt, answer, comment and personal detail here was written or
generated for this project by `scripts/make_fixtures.py`; none of it comes from real users or
from another data set. Names, e-mail addresses, phone numbers, card numbers, SSNs, IBANs and
API keys are fake (checksums are valid so detectors that validate them still fire; phone
numbers use ranges reserved for fiction, IP addresses use documentation ranges, e-mail
domains are `example.*`).

## Layout

{files}
    planted_pii.jsonl   (not input: list of planted PII, see below)

- {st['interactions']} interactions in {st['sessions']} sessions over two days
  (2026-11-01 and 2026-11-02), tenants: {fmt_counter(st['tenants'])};
  tasks: {fmt_counter(st['tasks'])}.
- Sessions have 1 to 3 turns (sessions by number of interactions: {fmt_counter(st['turns'])}).
  `messages` is the OpenAI chat format: a system message, earlier user/assistant turns, then
  the new user message (`messages[-2]`) and the answer (`messages[-1]`).
{wrap(f"- {st['events']} feedback events on {st['with_feedback']} interactions, types: "
       f"{fmt_counter(st['types'])}. {st['late']} events for day-1 interactions arrive late, "
       f"in `feedback/dt=2026-11-02/`.")}
- Popular prompts are asked by several users: {st['exact_groups']} groups of exact duplicates
  (after NFKC, lowercasing, replacing punctuation with spaces and collapsing whitespace) with {st['exact_members']}
  interactions in all, plus a few near-duplicates (a changed or dropped word). Two sessions
  contain a regeneration: the same input a few seconds later with another answer.
- Some answers are deliberately poor (wrong facts, buggy code, a rude message); their
  feedback is negative (thumbs down with a comment, rating 1, reject, report, edit with a
  corrected answer). Good answers mostly get thumbs up with copy, rating 5 or accept.
- `interactions/dt=2026-11-01/part-0001.jsonl.gz` escapes non-ASCII as `\\uXXXX`; the other
  files write UTF-8. A few timestamps end in `+00:00` instead of `Z`. One interaction has an
  extra field `client` with a contact e-mail address in it.

## Planted PII

`planted_pii.jsonl` has one line per occurrence of a planted value:
`record_id` (interaction_id or event_id), `record_type` (`interaction` / `feedback`), `field`
(`messages[i].content`, `comment`, `edited_output`, `client.contact`), `entity_type`
(Presidio names: EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, US_SSN, IBAN_CODE, IP_ADDRESS,
API_KEY, PERSON), `value`, `start`/`end` (code-point offsets in that field), and `file`/`line`
(where the record is). A value from an earlier turn shows up again in the history of later
turns of the same session, and some values appear twice in one record; each occurrence has its
own line.
{wrap("Occurrences by type: " + fmt_counter(st['pii_occ']) + ". Distinct values by type: "
      + fmt_counter(st['pii_values']) + ".", indent="")}

It sits beside the logs, outside `interactions/` and `feedback/`, so the pipeline never reads
it. Tests use it to check that no planted value appears in any output byte.

## Regenerating

    python3 scripts/make_fixtures.py

The script uses only the Python standard library, fixed seeds and gzip with mtime 0, so the
output is byte-identical from run to run. It also writes `tests/fixtures/bad-input/` and
`tests/fixtures/empty-source/`.
"""


# --------------------------------------------------------------------------------------
# tests/fixtures/bad-input
# --------------------------------------------------------------------------------------

def make_bad_input():
    rng = random.Random(BAD_SEED)
    p = make_pii(random.Random(SEED))  # same fake identities, different records
    entries = build_entries(p)
    ssn_bad = ssn(rng)
    iban_bad = group(iban("GB", "BARC" + f"{rng.randrange(10**5, 10**6)}"
                                 f"{rng.randrange(10**7, 10**8)}"), [4] * 5 + [2], " ")
    values = {
        "email_good": "good.line.person@example.com",
        "ssn_good": ssn_bad,
        "iban_good": iban_bad,
        "phone_goodfb": "+1 646 555 0113",
        "email_malformed": "bad.line.person@example.org",
        "phone_malformed": "+1 415 555 0147",
        "email_utf8": "broken.bytes.person@example.org",
        "email_wrongts": "wrong.ts.person@example.org",
        "phone_wrongts": "+44 20 7946 0958",
        "email_wrongmsg": "wrong.messages.person@example.org",
        "phone_wrongmsg": "(212) 555-0168",
        "email_badfb": "bad.feedback.person@example.org",
    }
    assert iban_ok(iban_bad)

    reset_dir(BAD / "interactions")
    reset_dir(BAD / "feedback")

    base = DAY5 + _dt.timedelta(hours=9)
    counter = [0]

    def rec(iid, key, prompt=None, tenant="acme", minutes=None):
        e = entries[key]
        counter[0] += 1
        t = base + _dt.timedelta(minutes=minutes if minutes is not None else counter[0] * 7,
                                 milliseconds=rng.randrange(1000))
        msgs = [{"role": "system", "content": f"You are Acme's assistant. {SYSTEM[e['task']]}"},
                {"role": "user", "content": prompt or e["prompt"]},
                {"role": "assistant", "content": e["answer"]}]
        return {"interaction_id": iid, "session_id": "s-9" + iid[-6:], "tenant_id": tenant,
                "user_id": f"u-acm-{10000 + counter[0] * 37:05d}", "ts": fmt_ts(t),
                "task": e["task"], "model": "gpt-4o-mini-2024-07-18",
                "prompt_version": f"{e['task']}-v2", "messages": msgs,
                "latency_ms": 300 + len(e["answer"]) * 5, "input_tokens": 40 + len(
                    msgs[1]["content"]) // 4, "output_tokens": len(e["answer"]) // 4}

    good = {
        "A1": rec("i-50000001", "q_egg"),
        "A2": rec("i-50000002", "c_sql"),
        "A3": rec("i-50000003", "m_train",
                  prompt=f"Quick one before I send my details ({values['email_good']}) to the "
                         f"travel office: a train covers 240 km in 3 hours, what is its "
                         f"average speed?"),
        "A4": rec("i-50000004", "w_taglines"),
        "A5": rec("i-50000005", "s_changelog"),
        "A6": rec("i-50000006", "q_sky"),
        "A7": rec("i-50000007", "c_docker"),
        "A8": rec("i-50000008", "q_429",
                  prompt=f"The payroll form asks for my SSN {values['ssn_good']} and IBAN "
                         f"{values['iban_good']}. Unrelated: what does HTTP 429 mean?"),
        "A9": rec("i-50000009", "m_frac"),
        "A10": rec("i-50000010", "w_apology"),
        "A11": rec("i-50000011", "q_moon"),
        "A12": rec("i-50000012", "m_dice"),
    }
    T = [rec(f"i-500000{20 + i}", k) for i, k in
         enumerate(["q_virus", "c_hex", "m_level", "w_thanks", "s_thread"])]

    def line(obj):
        return dumps(obj)

    # malformed: a record with PII cut off mid-object
    mal = rec("i-50000090", "q_everest",
              prompt=f"Please reply to {values['email_malformed']} or call "
                     f"{values['phone_malformed']}: what is the boiling point of water on "
                     f"Everest?")
    mal_line = line(mal)
    cut = mal_line.index(values["phone_malformed"]) + len(values["phone_malformed"]) + 40
    mal_line = mal_line[:cut]
    # invalid UTF-8
    u = rec("i-50000091", "q_capital",
            prompt=f"capital of Australia? (sent from broken client \u0001, reply to "
                   f"{values['email_utf8']})")
    u_bytes = line(u).encode("utf-8").replace(b"\\u0001", b"\xff\xfe")
    # missing interaction_id / messages
    no_id = rec("i-50000092", "m_linear")
    del no_id["interaction_id"]
    no_msgs = rec("i-50000093", "q_sleep")
    del no_msgs["messages"]
    # wrong types
    ts_num = rec("i-50000094", "q_russia",
                 prompt=f"I'm at {values['email_wrongts']}, phone {values['phone_wrongts']}. "
                        f"How many time zones does Russia have?")
    ts_num["ts"] = int((DAY5 + _dt.timedelta(hours=11)).timestamp() * 1000)
    msg_str = rec("i-50000095", "w_ooo")
    msg_str["messages"] = (f"user: write an out-of-office note, contact "
                           f"{values['email_wrongmsg']} or {values['phone_wrongmsg']}")
    arr = '["i-50000096", "2026-11-05T10:00:00.000Z", "what is 2 + 2?"]'

    P0 = "interactions/dt=2026-11-05/part-0000.jsonl"
    P1 = "interactions/dt=2026-11-05/part-0001.jsonl"
    P2 = "interactions/dt=2026-11-05/part-0002.jsonl.gz"
    P3 = "interactions/dt=2026-11-05/part-0003.jsonl.gz"
    P4 = "interactions/dt=2026-11-05/part-0004.jsonl"
    F0 = "feedback/dt=2026-11-05/part-0000.jsonl"

    # (kind, payload) rows per file; payload is a record dict, a str line or raw bytes
    files = {
        P0: [("good", good["A1"]), ("good", good["A2"]), ("good", good["A3"]),
             ("malformed_json", mal_line), ("good", good["A4"]), ("blank", ""),
             ("good", good["A5"]), ("missing_interaction_id", no_id), ("good", good["A6"])],
        P1: [("good", good["A7"]), ("invalid_utf8", u_bytes), ("missing_messages", no_msgs),
             ("good", good["A8"]), ("wrong_type_ts", ts_num), ("wrong_type_messages", msg_str),
             ("json_array", arr), ("good", good["A9"])],
        P2: [("good", good["A10"]), ("good", good["A11"]), ("duplicate_interaction_id", good["A1"]),
             ("good", good["A12"])],
    }

    # feedback
    fcount = [0]

    def fb(iid_rec, etype, value=None, comment=None, minutes=5, **extra):
        fcount[0] += 1
        t = _dt.datetime.fromisoformat(iid_rec["ts"].replace("Z", "+00:00")) + \
            _dt.timedelta(minutes=minutes, milliseconds=rng.randrange(1000))
        ev = {"event_id": f"f-500000{fcount[0]:02d}", "interaction_id": iid_rec["interaction_id"],
              "session_id": iid_rec["session_id"], "ts": fmt_ts(t), "type": etype,
              "value": value, "comment": comment}
        ev.update(extra)
        return ev

    F = [
        fb(good["A1"], "thumbs_up", 1),
        fb(good["A2"], "copy", minutes=1),
        fb(good["A3"], "comment", None,
           f"helpful, but call me on {values['phone_goodfb']} about the refund"),
        fb(good["A4"], "rating", 5),
        fb(good["A6"], "thumbs_down", -1, "too long"),
        fb(good["A7"], "accept", 1, minutes=2),
        fb(good["A9"], "copy", minutes=1),
        fb(good["A10"], "edit", edited_output="We're sorry your order was late. We've added a "
                                               "credit to your account for your next order."),
        fb(good["A11"], "thumbs_up", 1),
        fb(good["A12"], "rating", 4),
    ]
    fb_mal = fb(good["A5"], "comment", None,
                f"please forward this to {values['email_badfb']} thanks")
    fb_mal_line = dumps(fb_mal)
    fb_mal_line = fb_mal_line[:fb_mal_line.index(values["email_badfb"]) + len(
        values["email_badfb"]) + 3]
    try:
        json.loads(fb_mal_line)
        raise AssertionError("malformed feedback line parses")
    except json.JSONDecodeError:
        pass
    fb_notype = fb(good["A8"], "thumbs_up", 1)
    del fb_notype["type"]
    orphan = fb(good["A2"], "thumbs_down", -1)
    orphan["interaction_id"] = "i-59999999"
    orphan["session_id"] = "s-9599999"
    files[F0] = [("good", F[0]), ("good", F[1]), ("good", F[2]), ("malformed_json", fb_mal_line),
                 ("good", F[3]), ("missing_type", fb_notype), ("good", F[4]),
                 ("orphan", orphan), ("good", F[5]), ("good", F[6]),
                 ("duplicate_event_id", F[6]), ("good", F[7]), ("good", F[8]), ("good", F[9])]

    items = []  # (file, line, kind, id)
    pii_out = []
    for path, rows in files.items():
        raw_lines = []
        rtype = "feedback" if path.startswith("feedback") else "interaction"
        for ln, (kind, payload) in enumerate(rows, 1):
            if isinstance(payload, dict):
                b = dumps(payload).encode("utf-8")
                rid = payload.get("event_id" if rtype == "feedback" else "interaction_id")
            elif isinstance(payload, str):
                b = payload.encode("utf-8")
                rid = None
            else:
                b = payload
                rid = None
            raw_lines.append(b)
            if kind != "good":
                items.append((path, ln, kind, rid))
            # planted PII: parsed fields for good rows, the raw line for bad ones
            if kind in ("good", "duplicate_interaction_id", "duplicate_event_id", "orphan"):
                pii_out += pii_rows(payload, rtype, rid, values, path, ln)
            else:
                text = b.decode("utf-8", "replace")
                for key, s, e in find_occurrences(text, values):
                    pii_out.append(dict(record_id=f"{path}:{ln}", record_type=rtype,
                                        field="raw_line", entity_type=pii_type(key),
                                        value=values[key], start=s, end=e, file=path, line=ln))
        data = b"".join(x + b"\n" for x in raw_lines)
        write_bytes(BAD / path, gz(data) if path.endswith(".gz") else data)

    # truncated gzip: five good lines, compressed, cut in half
    tdata = b"".join(dumps(r).encode("utf-8") + b"\n" for r in T)
    comp = gz(tdata)
    write_bytes(BAD / P3, comp[:len(comp) // 2])
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    partial = d.decompress(comp[:len(comp) // 2])
    recoverable = partial.count(b"\n")
    items.append((P3, recoverable + 1, "truncated_gzip", None))
    # empty file
    write_bytes(BAD / P4, b"")
    items.append((P4, 0, "empty_file", None))

    with open(BAD / "planted_pii.jsonl", "w", encoding="utf-8") as f:
        for row in pii_out:
            f.write(dumps(row) + "\n")
    seen = {r["value"] for r in pii_out}
    missing = [k for k, v in values.items() if v not in seen]
    assert not missing, missing

    info = dict(fb_ids=dict(malformed=fb_mal["event_id"], missing_type=fb_notype["event_id"],
                            orphan=orphan["event_id"]),
                items=items, recoverable=recoverable,
                truncated_ids=[r["interaction_id"] for r in T],
                good_interactions=len(good), good_feedback=len(F), pii=pii_out,
                comp_len=len(comp), tdata_lines=len(T))
    (BAD / "EXPECTED.md").write_text(bad_expected(info), encoding="utf-8")
    return info


REASONS = {
    "malformed_json": ("quarantined", "malformed JSON (truncated object)",
                       "`malformed JSON: ...`"),
    "blank": ("skipped", "blank line", "not a row: neither ingested nor quarantined; line "
                                        "numbers of later lines still count it"),
    "missing_interaction_id": ("quarantined", "missing required field",
                               "`missing required field `interaction_id``"),
    "invalid_utf8": ("quarantined", "invalid UTF-8 (raw bytes FF FE inside a string value)",
                     "`invalid UTF-8 at byte N` (the quarantined text is the line decoded "
                     "lossily)"),
    "missing_messages": ("quarantined", "missing required field",
                         "`missing required field `messages``"),
    "wrong_type_ts": ("quarantined", "wrong type: `ts` is a number (epoch milliseconds)",
                      "`field `ts` must be an RFC 3339 string, found number`"),
    "wrong_type_messages": ("quarantined", "wrong type: `messages` is a string",
                            "`field `messages` must be an array, found string`"),
    "json_array": ("quarantined", "line is a JSON array, not an object",
                   "`line is a JSON array, expected an object`"),
    "duplicate_interaction_id": ("duplicate", "same interaction_id as "
                                 "`interactions/dt=2026-11-05/part-0000.jsonl` line 1 (an "
                                 "identical re-delivery)",
                                 "counted once; the second copy ends as a duplicate (or is "
                                 "quarantined as a duplicate id), never as a second example"),
    "truncated_gzip": ("quarantined", "truncated gzip stream",
                       "the complete lines before the cut are read normally; the unreadable "
                       "rest is one file-level quarantine row (`unreadable rest of file after "
                       "line N: ...`)"),
    "empty_file": ("no rows (file-level note)", "empty file (0 bytes)",
                   "no data rows and the run must not fail; the current pipeline reports it "
                   "as one file-level quarantine row at line 0 (`empty file (0 bytes)`)"),
    "missing_type": ("quarantined", "missing required field", "`missing required field `type``"),
    "orphan": ("filtered", "feedback for interaction `i-59999999`, which does not exist",
               "a valid row, not quarantined; it joins nothing and is reported as unmatched "
               "(orphan) feedback"),
    "duplicate_event_id": ("duplicate", "identical copy of the previous line (same event_id)",
                           "counted once in signals; the copy is a duplicate"),
}


def bad_expected(info):
    rows = []
    names = {"EMAIL_ADDRESS": "e-mail", "PHONE_NUMBER": "phone number"}
    for path, ln, kind, rid in info["items"]:
        disp, what, reason = REASONS[kind]
        planted = sorted({names.get(r["entity_type"], r["entity_type"]) for r in info["pii"]
                          if r["file"] == path and r["line"] == ln and r["field"] == "raw_line"})
        if planted:
            reason += (f"; carries a planted {' and a planted '.join(planted)}, which the "
                       f"quarantine file must show only redacted")
        where = f"`{path}`:{ln}" if ln else f"`{path}` (whole file)"
        rid_s = f" (`{rid}`)" if rid else ""
        rows.append(f"| {where} | {kind}{rid_s} | {what} | {disp} | {reason} |")
    table = "\n".join(rows)
    tids = ", ".join(f"`{x}`" for x in info["truncated_ids"])
    return f"""# bad-input fixture: what each bad item is and what should happen

Generated by `scripts/make_fixtures.py` (synthetic data). Partition `dt=2026-11-05`.

Good rows: {info['good_interactions']} distinct interactions (`i-50000001` … `i-50000012`) in
`part-0000.jsonl`, `part-0001.jsonl` and `part-0002.jsonl.gz`, and {info['good_feedback']} good
feedback events (`f-50000001` … `f-50000010`) in `feedback/dt=2026-11-05/part-0000.jsonl`.
The truncated gzip `part-0003.jsonl.gz` holds five more good interactions ({tids}) of which the
first {info['recoverable']} line(s) decompress completely before the cut (the cut is at byte
{info['comp_len'] // 2} of {info['comp_len']}).

Line numbers are 1-based physical lines (a blank line counts). "Reason" quotes the wording of
the current parser in `transforms/src/ingest/parse.rs` where one exists; a test should match
the kind (missing field, wrong type, malformed JSON, ...) rather than the exact text.

| where | kind | what is wrong | expected disposition | expected reason |
|---|---|---|---|---|
{table}

Feedback: the malformed line 4 was event `{info['fb_ids']['malformed']}` (for `i-50000005`)
and line 6 is event `{info['fb_ids']['missing_type']}` (for `i-50000008`, no `type`); line 8 is
the orphan `{info['fb_ids']['orphan']}`; line 11 repeats line 10 (`f-50000007`). Good
interactions `i-50000005` and `i-50000008` therefore have no valid feedback.

## Planted PII

`planted_pii.jsonl`: one line per occurrence, the same format as
`data/sample-logs/planted_pii.jsonl`. For good rows `field` is the parsed field
(`messages[1].content`, `comment`) and `record_id` the row's id; for bad lines `field` is
`raw_line`, `record_id` is `<file>:<line>`, and `start`/`end` are code-point offsets in the
line decoded as UTF-8 with replacement characters. Values planted in bad lines must appear
only redacted in `quarantine/` (and nowhere else); the row `i-50000001` is delivered twice and
`f-50000007` twice, so their values (if any) occur twice in the input.
"""


# --------------------------------------------------------------------------------------
# tests/fixtures/empty-source
# --------------------------------------------------------------------------------------

def make_empty():
    for sub in ("interactions", "feedback"):
        write_bytes(EMPTY / sub / ".gitkeep", b"")


def main():
    st = make_sample()
    info = make_bad_input()
    make_empty()
    print(f"sample: {st['interactions']} interactions, {st['events']} feedback events, "
          f"{sum(st['pii_occ'].values())} planted PII occurrences")
    print(f"bad-input: {len(info['items'])} bad items, {len(info['pii'])} planted PII "
          f"occurrences")


if __name__ == "__main__":
    main()
