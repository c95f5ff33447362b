"""Writes wordpiece.json: the ids that Hugging Face `tokenizers` gives all-MiniLM-L6-v2's tokenizer.json for a
corpus built to exercise every rule (cleaning, CJK, accents, punctuation, sub-words, unknown words, truncation).

Run once, from the package root, after `make setup`:

    python3 -m pip install tokenizers==0.23.3
    python3 Tests/EmbeddingTests/Golden/generate.py

The Swift tests read wordpiece.json and need no Python.
"""
import json, random

from tokenizers import Tokenizer

tokenizer = Tokenizer.from_file("data/embedding/all-MiniLM-L6-v2/tokenizer.json")
# sentence-transformers reads at most max_seq_length (256) tokens, [CLS] and [SEP] included.
tokenizer.enable_truncation(max_length=256)
tokenizer.no_padding()

rng = random.Random(20261202)
texts = [
    "", " ", "\n\t\r", "hello world", "Hello, World!", "The quick brown fox jumps over the lazy dog.",
    "is postage free if I spend enough", "what's your phone number?", "how long is the guarentee",
    "Can I retrun an item after 30 days??", "wher do i chnage my pasword", "Do you ship to Nörway or Österreich?",
    "I'm you're we've they'll don’t can't", "ÀÉÎÕÜ façade naïve café résumé Größe Straße",
    "e\u0301 a\u0308 n\u0303 combining marks", "İstanbul ΣΊΣΥΦΟΣ ΚΌΣΜΕ Ǆ ǅ ǆ",
    "Привет, мир! Как вернуть товар?", "Γειά σου Κόσμε", "שלום עולם", "مرحبا بالعالم، كيف حالك؟",
    "नमस्ते दुनिया, यह एक परीक्षण है।", "สวัสดีชาวโลก ภาษาไทย", "你好，世界！这是一个测试。退货政策是什么？",
    "こんにちは世界、カタカナとひらがな。", "안녕하세요 세계", "Tiếng Việt có dấu", "ქართული ენა",
    "emoji 😀😃😄 👍🏽 👨‍👩‍👧‍👦 🇫🇷🇩🇪 ❤️ ☕", "price: $49.99 + 20% VAT = €59,99 (approx.) ~ £43 | #1 @home ^_^ `code`",
    "https://example.com/path/to/page?query=1&x=y#frag", "email@example.com", "C++ and C# and F#; x<=y>=z",
    "camelCaseIdentifierName SCREAMING_SNAKE_CASE kebab-case-words", "3.14159 2,718 1e10 0x1F 1st 2nd 3rd",
    "ctrl\x01\x02\x7f chars", "zero\u200dwidth\u200cjoin bom\ufeffhere", "replacement \ufffd char", "nul\x00byte",
    "private \ue000\uf8ff use", "nbsp\u00a0here em\u2003space ideographic\u3000space", "nel\u0085char line\u2028sep",
    "astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙𝟚 𐍈 𓀀", "math ∑∫√∞≠≤≥ ∀x∈ℝ → ⇒", "box ─│┌┐ █▓▒░", "«quoted» „German“ ‹single› 「括弧」",
    "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "x" * 100, "y" * 101, "ab" * 60 + " after", "unaffable unbelievable unhappiness rethinking",
    "ThisIsAVeryLongWordWithoutSpacesThatGetsSplitIntoManyPieces", "a.b.c...d!!!e???",
    "𠀀𠀁 𪜀 𫝀 𬺰 豈 丽", "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３", "ﬁ ﬂ ligatures ß ẞ", "Ⅻ Ⅳ ½ ¾ ² ³",
]
words = ["shipping", "return", "refund", "warranty", "order", "account", "password", "delivery", "invoice",
         "Versand", "Rückgabe", "garantía", "envío", "livraison", "remboursement", "доставка", "返品", "配送",
         "😀", "!", "?", "—", "...", "(", ")", "3", "42", "q", "zzzzqx", "café", "naïve"]
for length in (5, 40, 200, 400):
    texts.append(" ".join(rng.choice(words) for _ in range(length)))

cases = [{"text": text, "ids": tokenizer.encode(text).ids} for text in texts]
with open("Tests/EmbeddingTests/Golden/wordpiece.json", "w", encoding="utf-8") as out:
    json.dump(cases, out, ensure_ascii=False, indent=0)
print(f"{len(cases)} cases")
