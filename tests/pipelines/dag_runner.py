"""A warm Airflow process that runs DAGs with ``dag.test()``, each run in a child forked from it.

``airflow dags test`` spends most of its ~12 s starting up: importing Airflow and the pipeline
libraries (pandas, geopandas, pyproj …) and building the in-process Execution API through which
the tasks report (Cadwyn generates its versioned routes on the first request, ~4 s). This runner
does all that once; for every run it forks a child that does what ``airflow dags test`` does after
its start-up: load the DAG from the DAG folder (``get_bagged_dag``, which also writes the bundle's
DAGs to the metadata database) and call ``dag.test()``. Tasks, XComs, retries after their
``retry_delay`` and the failure callback run exactly as there. Each run is a process of its own:
nothing a run changes (imported modules, environment, connections) reaches the next one, and a run
can be interrupted while it works (tests/pipelines/test_restarts.py).

Started by ``tests/pipelines/conftest.py`` with the test Airflow's environment. Requests arrive on
stdin, one JSON object a line: ``{"dag_id", "env", "output"}``; ``env`` is the environment of that
run (a test may give a run another archive folder), ``output`` the file that receives the run's
stdout and stderr (its task logs). Answers go to the file descriptor given as the only argument:
``{"pid": …}`` when a run starts and ``{"pid": …, "returncode": …}`` when it ended (0: the DAG
run succeeded, 1: it failed, 2: the DAG could not be loaded or run; the output says why).

The pipeline package is imported here only to load the libraries it needs and then forgotten, so
that each run imports it afresh with its own environment (the work and archive folders and the
retry delay are read when it is imported).
"""

from __future__ import annotations

import json
import os
import sys
import traceback


def _warm_up() -> None:
    """Import what every run needs and build the Execution API app (starts no thread, opens no connection)."""
    from airflow import configuration  # noqa: F401  (first, as airflow's own __main__ does)
    from airflow.dag_processing.dagbag import BundleDagBag  # noqa: F401
    from airflow.models.dagrun import DagRun  # noqa: F401
    from airflow.providers.standard.decorators import python  # noqa: F401
    from airflow.providers_manager import ProvidersManager
    from airflow.sdk.execution_time import supervisor, task_runner  # noqa: F401
    from airflow.utils.cli import get_bagged_dag  # noqa: F401

    ProvidersManager().initialize_providers_configuration()  # as the CLI's dags test command does
    app = supervisor.in_process_api_server().app  # cached; its event loop thread starts in each run
    if not getattr(app, "_cadwyn_initialized", True):
        app._cadwyn_initialize()  # what Cadwyn does on the app's first request

    import pipelines.dag_factory
    import pipelines.parking.archive
    import pipelines.parking.occupancy
    import pipelines.steps  # noqa: F401

    for name in [name for name in sys.modules if name == "pipelines" or name.startswith("pipelines.")]:
        del sys.modules[name]


def _run(dag_id: str, env: dict[str, str], output: str) -> int:
    """In the forked child: one run with its output into ``output``; returns the exit code."""
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    os.environ.clear()
    os.environ.update(env)
    try:
        from airflow.sdk import timezone
        from airflow.utils.cli import get_bagged_dag
        from airflow.utils.state import DagRunState

        dag = get_bagged_dag(bundle_names=None, dag_id=dag_id)
        run = dag.test(logical_date=timezone.utcnow())
        print(f"DAG run {run.run_id} of {dag_id} ended: state={run.state}")
        return 0 if run.state == DagRunState.SUCCESS else 1
    except BaseException:  # whatever it was, the test shows it from the output
        traceback.print_exc()
        return 2
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def main() -> None:
    answers = os.fdopen(int(sys.argv[1]), "w", buffering=1)
    _warm_up()
    answers.write(json.dumps({"ready": os.getpid()}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 2
            try:
                answers.close()
                code = _run(request["dag_id"], request["env"], request["output"])
            finally:
                os._exit(code)
        answers.write(json.dumps({"pid": pid}) + "\n")
        _, status = os.waitpid(pid, 0)
        answers.write(json.dumps({"pid": pid, "returncode": os.waitstatus_to_exitcode(status)}) + "\n")
    os._exit(0)  # stdin closed: done, without the interpreter's clean-up of all those modules (>1 s)


if __name__ == "__main__":
    main()
