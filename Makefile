# Adkeep. `make run` runs the app; `make test` runs every test.
# Both install what is missing first (Debian/Ubuntu).

.PHONY: run test deps

run:
	scripts/run.sh

test:
	scripts/test.sh

deps:
	scripts/deps.sh test
