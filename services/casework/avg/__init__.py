"""AVG rights (issue 11): the access log per casus and person, inzage (art. 15), correctie
(art. 16), beperking (art. 18) and the bewaartermijn sweep. See docs/avg.md."""
