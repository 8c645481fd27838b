from kiemchung.topics import TOPICS, topic_label


def test_known_topics_have_both_languages() -> None:
    assert topic_label("y-te") == "Y tế"
    assert topic_label("giao-thong", "en") == "Transport"
    # every topic name is a message id with its English in the catalogue
    assert all(topic_label(slug, "en") != name for slug, name in TOPICS.items())


def test_unknown_topic_reads_as_words_and_empty_is_empty() -> None:
    assert topic_label("an-ninh-mang") == "An ninh mang"
    assert topic_label(None) == "" and topic_label("") == ""


def test_demo_topics_all_have_names() -> None:
    import json
    from importlib import resources

    data = resources.files("kiemchung.demo") / "data" / "factchecks.jsonl"
    used = {
        t for line in data.read_text("utf-8").splitlines() if line.strip() for t in json.loads(line)["topics"]
    }
    assert used <= set(TOPICS), used - set(TOPICS)
