def test_probe(browse):
    b = browse("GM0355", "dennis-koster")
    for path, name in (("/casussen", "casussen"), ("/aanmelden", "aanmelden"), ("/werkvoorraad", "werkvoorraad"), ("/", "home")):
        try:
            b.goto(path, name)
        except AssertionError as e:
            print("FAIL", name, str(e)[:1500])
