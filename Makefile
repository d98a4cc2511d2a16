# Adkeep. `make run` runs the app; `make test` runs every test;
# `make bench` measures; `make dist` builds and checks the Linux packages;
# `make screenshots` pictures every screen into docs/screens/.
# All install what is missing first (Debian/Ubuntu).

.PHONY: run test bench dist deps screenshots

run:
	scripts/run.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

dist:
	scripts/dist.sh

screenshots:
	scripts/screenshots.sh

deps:
	scripts/deps.sh test
