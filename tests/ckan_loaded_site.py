"""CKAN's plugins and web app kept loaded between tests that load them the same way.

CKAN's ``with_plugins`` fixture loads every plugin when a test starts and unloads them when it ends,
and ``app`` loads them once more and builds a new Flask app. Each load re-reads CKAN's ~800 config
declarations, runs every plugin's ``update_config``/``configure``, opens new database connections, and
each new app compiles again every template the test renders: together about half of a typical test's
time here. A load depends only on the configuration it starts from, so when a test's fixtures load with
the same configuration, in the same order, as the previous test's did, and nothing has loaded or
unloaded plugins since, the previous test's loaded plugins and app are what a load would give: the test
gets them, with the configuration and globals as the load left them and a new test client (no cookies).
Any difference — another configuration or plugin list (``ckan_config`` and ``with_plugins`` marks, a
fixture's config patch), a plugin provided by the test, a test's own ``make_app`` or plugin load —
loads afresh, as CKAN's fixtures do. A test that asks for neither fixture after one that asked for
``with_plugins`` gets its plugins unloaded, as CKAN's fixture would have left it.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

# The fixtures by which a test has CKAN load plugins (``make_app`` loads them on every call).
LOADING_FIXTURES = {"with_plugins", "app", "make_app"}


@dataclass
class _Loads:
    """The loads one test's fixtures made: per load its kind, the configuration it started from and the
    one it left; the app built by the ``app`` load; the count of plugin loads after the last of them."""

    stages: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    app: Any = None
    request_context: Any = None
    generation: int = -1
    reused: bool = True  # every load so far was the previous test's, reused
    with_plugins: bool = False


class _LoadedSite:
    """The previous test's loads and the current test's, and how many times CKAN has loaded plugins."""

    def __init__(self) -> None:
        self.previous = _Loads()
        self.current = _Loads()
        self.generation = 0

    def next_test(self, fixtures: set[str]) -> None:
        """Before a test: the loads of the test before it become the reference."""
        done = self.current
        if done.stages and not done.reused:
            self.previous = done
        self.current = _Loads()
        if done.with_plugins and not LOADING_FIXTURES & fixtures:
            import ckan.plugins

            ckan.plugins.unload_all()  # what CKAN's with_plugins does when its test ends

    def load(self, kind: str, config: Any, load: Callable[[], Any]) -> Any:
        """A load of ``kind`` (``with_plugins`` or ``app``) from ``config`` as it is now: the previous
        test's if it loaded the same way up to here and nothing loaded since, else ``load()``."""
        start = copy.deepcopy(dict(config))
        position = len(self.current.stages)
        previous = self.previous
        if kind == "with_plugins":
            self.current.with_plugins = True
        if (
            self.current.reused
            and position < len(previous.stages)
            and previous.stages[position][:2] == (kind, start)
            and previous.generation == self.generation
            and (kind != "app" or previous.app is not None)
        ):
            _, _, left = previous.stages[position]
            self.current.stages.append(previous.stages[position])
            _restore(config, left, app=kind == "app", request_context=previous.request_context)
            self.current.generation = self.generation
            if kind == "app":
                self.current.app, self.current.request_context = previous.app, previous.request_context
                from ckan.tests.helpers import CKANTestApp

                return CKANTestApp(previous.app)
            return None
        if self.current.reused:  # the loads reused so far stay part of this test's record
            self.current.app, self.current.request_context = previous.app, previous.request_context
        self.current.reused = False
        loaded = load()
        self.current.stages.append((kind, start, copy.deepcopy(dict(config))))
        self.current.generation = self.generation
        if kind == "app":
            import ckan.config.middleware as middleware

            self.current.app, self.current.request_context = loaded.app, middleware._internal_test_request_context
        return loaded


def _restore(config: Any, left: dict[str, Any], app: bool, request_context: Any) -> None:
    """What a load leaves besides the loaded plugins: the configuration, globals read from it and from
    the database, empty caches of actions, validators and auth functions, a new database session."""
    import ckan.config.middleware as middleware
    import ckan.lib.app_globals as app_globals
    import ckan.logic as logic
    import ckan.model as model
    from ckan import authz

    config.clear()
    config.update(copy.deepcopy(left))
    app_globals.app_globals._init()
    logic.clear_actions_cache()
    logic.clear_validators_cache()
    authz.clear_auth_functions_cache()
    model.Session.remove()
    if app:
        app_globals.reset()
        middleware._internal_test_request_context = request_context


_site = _LoadedSite()


@pytest.fixture(scope="session", autouse=True)
def plugin_loads_counted() -> Iterator[None]:
    """Every plugin load or unload ends in ``update_config``: counting its calls tells whether anything
    loaded plugins since a test's fixtures did."""
    import ckan.config.environment as environment

    update = environment.update_config

    def counted() -> None:
        _site.generation += 1
        update()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(environment, "update_config", counted)
        yield


@pytest.fixture(autouse=True)
def loads_of_the_previous_test(request: pytest.FixtureRequest) -> None:
    """Runs before a test's other fixtures."""
    _site.next_test(set(request.fixturenames))


@pytest.fixture(name="with_plugins")
def plugins_loaded(ckan_config: Any, provide_plugin: Any, monkeypatch: pytest.MonkeyPatch,
                 request: pytest.FixtureRequest) -> Iterator[None]:  # fmt: skip
    """CKAN's ``with_plugins`` (``ckan.plugins`` plus the plugins of ``with_plugins`` marks), loaded
    only when the previous test's load cannot be reused; plugins provided by the test load and unload
    every time, as in CKAN."""
    import ckan.plugins

    names: list[str] = []
    provided = False
    for plugin in itertools.chain.from_iterable(mark.args for mark in request.node.iter_markers("with_plugins")):
        if isinstance(plugin, dict):
            provided = True
            for name, implementation in plugin.items():
                provide_plugin(name, implementation)
                names.append(name)
        else:
            names.append(plugin)
    current = ckan_config["ckan.plugins"]
    monkeypatch.setitem(ckan_config, "ckan.plugins", (current.split() if isinstance(current, str) else current) + names)
    if provided:
        ckan.plugins.load_all()
        yield
        ckan.plugins.unload_all()
        return
    _site.load("with_plugins", ckan_config, ckan.plugins.load_all)
    yield


@pytest.fixture(name="app")
def web_app(make_app: Callable[[], Any], ckan_config: Any) -> Any:
    """CKAN's ``app``: a test client of the portal's web app, built only when the previous test's app
    cannot be reused (a new client each test, so no cookie or logged-in user carries over)."""
    ckan_config["testing"] = True  # as CKAN's test app sets it before building
    return _site.load("app", ckan_config, make_app)
