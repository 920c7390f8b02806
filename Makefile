# The portal's entry points; the work is done by the scripts in scripts/ (see README.md).
.PHONY: demo test stop bench load backup restore check-source remove-source i18n lint lock screenshots

demo:  ## set up everything missing and run the portal on http://127.0.0.1:5000 (Ctrl-C stops)
	@scripts/demo.sh

test:  ## lint and run all test suites (installs what is missing, like demo)
	@scripts/test.sh

stop:  ## stop what `make demo` started
	@scripts/stop.sh

bench:  ## benchmarks at catalogue scale; results in docs/benchmarks.md
	@scripts/bench.sh

load:  ## 50 connections for 2 minutes on the running demo while every source is harvested; docs/reliability.md
	@scripts/load.sh

backup:  ## save the demo's databases and uploads to var/backups/<time>/ (docs/operations.md)
	@scripts/backup.sh backup

restore:  ## bring back the newest backup (make stop first), verified against its manifest
	@scripts/backup.sh restore

check-source:  ## check source configuration(s) FILE=<yaml> before they go live; OFFLINE=yes: without asking the source
	@scripts/check-source.sh $(FILE) $(if $(OFFLINE),--offline)

remove-source:  ## remove source SOURCE=<id> (config, DAG, work files); PURGE=yes also its dataset (docs/operations.md)
	@scripts/remove-source.sh "$(SOURCE)" "$(PURGE)"

screenshots:  ## pictures of the running demo for the README (docs/screenshots/)
	@scripts/screenshots.sh

i18n:  ## collect the extension's message ids and merge them into the German catalogue
	@scripts/i18n.sh extract

lint:  ## ruff, the extension's import contracts (pyproject.toml [tool.importlinter]) and mypy (make test runs it first)
	@scripts/lint.sh

lock:  ## re-resolve requirements/*.in into the lock files requirements/*.txt
	@scripts/lock.sh
