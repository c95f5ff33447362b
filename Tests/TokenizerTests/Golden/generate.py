"""Writes golden.json: token ids that tiktoken gives for a corpus built to exercise every rule.

Run once, from the package root, after `make setup`:

    scripts/setup-bench.sh        # a Python with tiktoken 0.14.0 in .build/bench-python
    .build/bench-python/bin/python3 Tests/TokenizerTests/Golden/generate.py

tiktoken would download its rank files; it is pointed at the verified copies in data/tokenizer instead,
through its cache (TIKTOKEN_CACHE_DIR, one file per source URL, named by the URL's SHA-1).
The Swift tests read golden.json and need no Python.
"""
import hashlib, json, os, random, shutil, tempfile

cache = tempfile.mkdtemp()
for name in ("cl100k_base", "o200k_base"):
    url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
    shutil.copy(f"data/tokenizer/{name}.tiktoken", os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))
os.environ["TIKTOKEN_CACHE_DIR"] = cache
import tiktoken  # noqa: E402  (after the cache is set)

rng = random.Random(20261124)
texts = [
    "", "a", " ", "\n", "\n\n", "\r\n", "\r\n\r\n", "  \n  ", "\t", " \t \n", "hello world", "Hello, World!",
    "The quick brown fox jumps over the lazy dog.", "  leading spaces", "trailing spaces   ", "many     spaces",
    "I'm you're we've they'll he'd she's it't I'M YOU'RE WE'VE THEY'LL HE'D", "don’t (curly apostrophe)",
    "'s 't 're 've 'm 'll 'd", "ſ'ſ 'ſ 'S", "x'sy'LLz", "123", "1234567", "3.14159 2,718 1e10 0x1F",
    "٣٤٥ ١٢٣٤ ⅫⅣ ½¾ ²³", "def main():\n    print(\"hi\")\n    return 0\n",
    "func f() -> Int {\n\treturn 42 // answer\n}\n", "<html><body><p class=\"x\">Hi&amp;bye</p></body></html>",
    "https://example.com/path/to/page?query=1&x=y#frag", "a/b/c//d///e", "foo/bar\n/baz\r\n/",
    "SELECT * FROM users WHERE id = 1;", "{\"json\": [1, 2, {\"k\": null}]}", "email@example.com",
    "Ünïcödé façade naïve café résumé", "Größe Straße ÄÖÜ", "Привет, мир! Как дела?", "Γειά σου Κόσμε",
    "שלום עולם", "مرحبا بالعالم", "नमस्ते दुनिया, यह एक परीक्षण है।", "สวัสดีชาวโลก ภาษาไทย", "你好，世界！这是一个测试。",
    "こんにちは世界、カタカナとひらがな。", "안녕하세요 세계", "Tiếng Việt có dấu", "ქართული ენა", "Հայերեն",
    "e\u0301 a\u0308 n\u0303 combining", "\u0301\u0301 marks first", "x\u0308\u0308y", "ÀÉÎ MIXEDcase WordsHere",
    "camelCaseIdentifierName", "SCREAMING_SNAKE_CASE", "ǅungla ǈ ǋ titlecase", "ʰʲʷ modifier ˆ", "ᵃᵇᶜ",
    "emoji 😀😃😄 👍🏽 👨‍👩‍👧‍👦 🇫🇷🇩🇪 ❤️", "🙂🙂🙂🙂🙂🙂🙂🙂", "math ∑∫√∞≠≤≥ ∀x∈ℝ", "arrows → ← ↔ ⇒",
    "box ─│┌┐└┘├┤ █▓▒░", "nbsp\u00a0here\u00a0\u00a0twice", "em\u2003space\u2009thin\u200bzw", "line\u2028sep\u2029para",
    "ideographic\u3000space", "nel\u0085char", "vt\x0bff\x0c", "ctrl\x01\x02\x7f", "zero\u200dwidth\u200cjoin",
    "bom\ufeffhere", "replacement \ufffd char", "private \ue000\uf8ff", "astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙𝟚", "𐍈 gothic 𓀀 hieroglyph",
    "!!!???...;;;:::", "--- *** ___ ===", "    indented\n        more\n\n\n", "\n\n\n\n\n", " \n \n \n",
    "a\r\rb\n\rc", "end with newline\n", "ends with space ", "    ", "\t\t\tx", "x  \n  y", "x \n\n y",
    "<|endoftext|> special <|fim_prefix|> tokens", "ThisIsAVeryLongCamelCaseIdentifierThatGoesOnAndOnAndOn",
    "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
]
# Long runs: spaces, digits, one letter, punctuation, mixed words (the merge loop's worst cases).
texts += [" " * 1000, "1" * 500, "a" * 3000, "Z" * 257, "-" * 999, "ab" * 800, "\n" * 300, "🙂" * 300,
          "x" + " " * 200 + "y", "é" * 700, "\u0301" * 400]
# Random text from a mixed alphabet, both encodings' corner cases together.
alphabet = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n\r\t'/.,!?-_()[]{}<>\"@#$%^&*+=~`|\\:;"
            "éüßçñøÅÆŒſǅʰ\u0301\u0308\u00a0\u2003\u3000中文日本語한국어русскийελληνικάעבריתالعربيةहिन्दीไทย😀👍🏽🇫🇷")
for length in [5, 10, 20, 50, 100, 200, 500, 1000, 2000] * 4:
    texts.append("".join(rng.choice(alphabet) for _ in range(length)))

# Paragraphs in many scripts: long letter runs without spaces (CJK, Thai), combining marks (Devanagari,
# Bengali, Tamil, Myanmar, Khmer, Tibetan), right-to-left text, Cyrillic and Greek case, emoji sequences.
texts += [
    "日本語の文章は単語の間に空白を置かない。東京都渋谷区で２０２６年１１月２７日に会議が開かれ、「新しい仕様」について議論した。カタカナ語：サーバー、データベース、トークナイザー。",
    "中文文本没有空格分词。我们在北京召开了第十二届会议，讨论了数据同步与令牌计数（Token counting）的问题；结论是：准确性优先！",
    "한국어 문장은 띄어쓰기를 사용합니다. 서버가 시작되지 않으면 오류 메시지를 출력하고 종료해야 합니다. 숫자 12,345개.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю. ВСЕ ЗАГЛАВНЫЕ Буквы и строчные; ёлка, Ёж.",
    "Тиждень тому ми оновили документацію: ґанок, їжак, єнот, Її. Україна — країна у Східній Європі.",
    "يجب أن يعرض الخادم رسالة واضحة ثم يخرج. النص العربي يُكتب من اليمين إلى اليسار، مع التشكيل: كَتَبَ الطالبُ الدرسَ. ١٢٣٤٥",
    "सर्वर शुरू नहीं हो सका क्योंकि पोर्ट ८०८० पहले से उपयोग में है। कृपया फिर से प्रयास करें। क्षत्रिय, ज्ञान, श्रृंखला।",
    "ภาษาไทยไม่เว้นวรรคระหว่างคำ เซิร์ฟเวอร์ไม่สามารถเริ่มทำงานได้ กรุณาลองใหม่อีกครั้ง ๑๒๓๔",
    "সার্ভার চালু করা যায়নি। অনুগ্রহ করে আবার চেষ্টা করুন। বাংলা ভাষা, ক্ষ, জ্ঞ।",
    "சேவையகத்தைத் தொடங்க முடியவில்லை. மீண்டும் முயற்சிக்கவும். தமிழ் எழுத்துக்கள்.",
    "ქართული ანბანი: სერვერი ვერ ჩაირთო. გთხოვთ, სცადოთ ხელახლა.",
    "השרת לא הצליח לעלות. נא לנסות שוב. עִבְרִית עם ניקוד.",
    "Ο διακομιστής δεν ξεκίνησε. ΠΑΡΑΚΑΛΩ δοκιμάστε ξανά· ΆΈΉΊΌΎΏ ΐΰ ς.",
    "ሰርቨሩ መጀመር አልቻለም። እባክዎ እንደገና ይሞክሩ።",
    "ဆာဗာ စတင်၍ မရပါ။ ထပ်မံ ကြိုးစားပါ။",
    "ម៉ាស៊ីនមេមិនអាចចាប់ផ្តើមបានទេ។ សូមព្យាយាមម្តងទៀត។",
    "བོད་ཡིག་ནི་ཚེག་གིས་ཚིག་དབྱེ་བ་ཡིན། ༡༢༣",
    "Emoji: 👩🏽‍💻 wrote 🧑‍🤝‍🧑 tests ✅✅ — 🏳️‍🌈 🏴󠁧󠁢󠁳󠁣󠁴󠁿 1️⃣2️⃣#️⃣ ☺︎ ☺️ 🫠🫶🏿 🇯🇵🇺🇦🇮🇳 👍🏻👍🏼👍🏽👍🏾👍🏿",
    "mixed_идентификатор = 名前 + 'naïve' // コメント\nlet π = 3.14159; let 変数 = [\"ü\", \"ß\"]\n",
]
# Random text over every assigned code point class: letters of all cases, marks, numbers, symbols and
# spaces from many blocks, so the class table is exercised well beyond the paragraphs above.
import unicodedata  # noqa: E402
wide = [chr(c) for c in range(0x20, 0x30000) if unicodedata.category(chr(c)) not in ("Cn", "Cs", "Co")]
for length in [100, 500, 2000] * 3:
    texts.append("".join(rng.choice(wide) for _ in range(length)))

golden = {"tiktoken": tiktoken.__version__, "texts": texts}
for name in ("cl100k_base", "o200k_base"):
    encoding = tiktoken.get_encoding(name)
    golden[name] = [encoding.encode_ordinary(text) for text in texts]
with open("Tests/TokenizerTests/Golden/golden.json", "w", encoding="utf-8") as out:
    json.dump(golden, out, ensure_ascii=False, separators=(",", ":"))
print(len(texts), "texts,", sum(map(len, golden["cl100k_base"])), "cl100k ids,", sum(map(len, golden["o200k_base"])), "o200k ids")
