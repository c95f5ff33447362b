"""Writes vectors.json: the vectors sentence-transformers computes with all-MiniLM-L6-v2 for texts in English,
with typos, accents and emoji, in other languages, and longer than the model reads (cut at 256 tokens).

Run once, from the package root, after `make setup`:

    python3 -m pip install torch==2.13.0+cpu sentence-transformers==6.3.0
    python3 Tests/EmbeddingTests/Golden/generate-vectors.py

The Swift tests read vectors.json and need no Python.
"""
import json

from sentence_transformers import SentenceTransformer

model = SentenceTransformer("data/embedding/all-MiniLM-L6-v2", device="cpu")
texts = [
    "How many days do I have to return an item?",
    "is postage free if I spend enough",
    "what's your phone number",
    "how long is the guarentee",
    "Wher can I chnage my pasword??",
    "Café crème, naïve façade, Größe — résumé",
    "I love this 😍👍 but the box arrived broken 📦💔",
    "Tell me a joke",
    "Kann ich meine Bestellung zurückgeben?",
    "¿Cuánto cuesta el envío a España?",
    "Как вернуть товар?",
    "配送にはどのくらい時間がかかりますか",
    "a",
    " ".join(["Our warranty covers manufacturing defects for two years from the date of delivery."] * 30),
]
vectors = model.encode(texts, normalize_embeddings=False, convert_to_numpy=True)
cases = [{"text": text, "vector": [round(float(x), 7) for x in vector]} for text, vector in zip(texts, vectors)]
with open("Tests/EmbeddingTests/Golden/vectors.json", "w", encoding="utf-8") as out:
    json.dump(cases, out, ensure_ascii=False)
print(f"{len(cases)} cases, dimension {len(cases[0]['vector'])}")
