"""Order, resume, added and vanished files, repeats: the campaign sequence."""

from __future__ import annotations

from session_fakes import load, make_campaign, write_image

from imgmarker.kernel.campaign.session import Session


def names(session):
    return [(e.name, e.pass_index) for e in session.entries]


def test_sorted_order_lists_every_image_once(tmp_path, host):
    exp = load(make_campaign(tmp_path, n=5), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        assert names(s) == [(f"img{i:03d}.npy", 1) for i in range(5)]
        assert s.current.path == tmp_path / "images" / "img000.npy"
        assert [e.position for e in s.entries] == list(range(5))


def test_shuffled_order_is_the_same_for_every_annotator_and_run(tmp_path, host):
    exp = load(make_campaign(tmp_path, "order: {mode: shuffled, seed: 7}\n", n=30), host)
    orders = []
    for user, out in (("ana", "o1"), ("bob", "o2"), ("ana", "o3")):
        with Session.open(exp, user=user, output=tmp_path / out, host=host, export_delay=None) as s:
            orders.append(names(s))
    assert orders[0] == orders[1] == orders[2]
    assert orders[0] != sorted(orders[0])
    assert sorted(orders[0]) == [(f"img{i:03d}.npy", 1) for i in range(30)]


def test_per_annotator_order_differs_between_annotators_but_not_between_runs(tmp_path, host):
    exp = load(make_campaign(tmp_path, "order: {mode: per-annotator, seed: 7}\n", n=30), host)
    orders = {}
    for user, out in (("ana", "o1"), ("bob", "o2"), ("ana", "o3")):
        with Session.open(exp, user=user, output=tmp_path / out, host=host, export_delay=None) as s:
            orders[(user, out)] = names(s)
    assert orders[("ana", "o1")] == orders[("ana", "o3")]
    assert orders[("ana", "o1")] != orders[("bob", "o2")]
    assert sorted(orders[("ana", "o1")]) == sorted(orders[("bob", "o2")])


def test_reopening_resumes_at_first_unseen_image_with_everything_kept(tmp_path, host):
    exp = load(make_campaign(tmp_path, n=6), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        assert s.index == 0
        mark = s.add_mark(3.25, 4.5, "1").mark
        s.toggle_category("Category 2")
        s.next()
        s.next()
        assert s.index == 2
        assert s.progress.seen == 2 and s.progress.marked == 1 and s.progress.remaining == 4
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        assert s.index == 2
        assert s.progress.seen == 2 and s.progress.total == 6
        first = s.entries[0]
        assert s.marks(first) == [mark]
        assert s.image_state(first).categories == ("Category 2",)
        assert s.image_state(first).seen and s.image_state(first).seen_time.endswith("+00:00")
        assert not s.image_state().seen


def test_navigation_and_next_unseen(tmp_path, host):
    exp = load(make_campaign(tmp_path, n=4), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        assert s.previous().position == 0
        s.go_to(2)  # image 0 left: seen
        assert s.next_unseen().position == 3
        assert s.next_unseen().position == 1
        assert s.next().position == 2  # 1 seen now
        s.next()
        assert s.next().position == 3  # stays at the end, marks the last seen
        assert s.next_unseen() is None
        assert s.progress.seen == 4 and s.progress.remaining == 0


def test_progress_counts_marked_images_across_undo_and_restart(tmp_path, host):
    exp = load(make_campaign(tmp_path, n=3), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        a = s.add_mark(1, 1, "1").mark  # before progress was ever asked for
        s.add_mark(2, 2, "1")
        assert s.progress.marked == 1
        s.go_to(1)
        b = s.add_mark(1, 1, "1").mark
        assert s.progress.marked == 2
        s.remove_mark(b.id)
        assert s.progress.marked == 1
        s.undo()
        assert s.progress.marked == 2
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.go_to(0)
        s.remove_mark(a.id)
        assert s.progress.marked == 2  # image 0 still has its second mark
        assert s.progress == type(s.progress)(seen=3, total=3, marked=2, remaining=0)  # 2 was left


def test_files_added_later_join_the_end_and_vanished_ones_keep_their_records(tmp_path, host):
    exp_path = make_campaign(tmp_path, "order: {mode: shuffled, seed: 3}\n", n=8)
    exp = load(exp_path, host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        before = names(s)
        gone = s.entries[1]
        s.go_to(1)
        s.add_mark(1.5, 2.5, "1", label="kept")
    (tmp_path / "images" / gone.name).unlink()
    write_image(tmp_path / "images" / "aaa_new.npy")
    write_image(tmp_path / "images" / "zzz_new.npy")
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        after = names(s)
        assert after[:-2] == [k for k in before if k[0] != gone.name]
        assert sorted(after[-2:]) == [("aaa_new.npy", 1), ("zzz_new.npy", 1)]
        assert s.vanished == (gone.name,)
        assert any(gone.name in note and "no longer found" in note for note in s.notes)
        rows = list(s.store.mark_rows())
        assert [(r.image, r.label) for r in rows] == [(gone.name, "kept")]


def test_repeats_are_a_second_pass_after_the_gap_and_stored_apart(tmp_path, host):
    body = "consistency: {fraction: 0.25, seed: 5, min_gap: 3}\norder: {mode: shuffled, seed: 1}\n"
    exp = load(make_campaign(tmp_path, body, n=20), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        seq = names(s)
        repeats = [k for k in seq if k[1] == 2]
        assert len(repeats) == 5 and len(seq) == 25
        last_first_pass = max(i for i, k in enumerate(seq) if k[1] == 1)
        for name, _ in repeats:
            first, second = seq.index((name, 1)), seq.index((name, 2))
            order_position = [k for k in seq if k[1] == 1].index((name, 1))
            if order_position + 3 < 20:
                assert second - first - 1 >= 3
            else:  # too close to the end for the gap: shown after everything else
                assert second > last_first_pass
        i = seq.index(repeats[0])
        first = seq.index((repeats[0][0], 1))
        s.go_to(first)
        s.add_mark(1.0, 2.0, "1", label="first look")
        s.toggle_category("Category 1")
        s.go_to(i)
        assert s.current.pass_index == 2
        assert s.marks() == [] and s.image_state().categories == ()
        s.add_mark(5.0, 6.0, "1", label="second look")
        s.toggle_category("Category 3")
        assert [m.label for m in s.marks(s.entries[first])] == ["first look"]
        assert [m.pass_index for m in s.marks()] == [2]
        assert s.image_state(s.entries[first]).categories == ("Category 1",)
        assert s.image_state().categories == ("Category 3",)
    with Session.open(exp, user="bob", output=tmp_path / "bob", host=host, export_delay=None) as s:
        assert sorted(k for k in names(s) if k[1] == 2) == sorted(repeats)


def test_repeats_go_to_the_end_when_the_campaign_is_too_short_for_the_gap(tmp_path, host):
    exp = load(make_campaign(tmp_path, "consistency: {fraction: 0.5, seed: 2, min_gap: 10}\n", n=4), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        seq = names(s)
        assert seq[:4] == [(f"img{i:03d}.npy", 1) for i in range(4)]
        assert [p for _, p in seq[4:]] == [2, 2]
