# Adkeep. `make run` runs the app; `make test` runs every test;
# `make bench` measures; `make dist` builds and checks the Linux packages.
# All install what is missing first (Debian/Ubuntu).

.PHONY: run test bench dist deps

run:
	scripts/run.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

dist:
	scripts/dist.sh

deps:
	scripts/deps.sh test
