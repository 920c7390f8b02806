/* The search page's filter panel on narrow screens, as a dialog the keyboard can use (WCAG 2.1.1,
 * 2.1.2, 2.4.3): "Ergebnisse filtern" opens it and moves the focus into it, Tab stays inside,
 * Escape or its close button closes it and gives the focus back to the button that opened it.
 * CKAN only toggles the class filters-modal on a link without href. Listeners are on the document,
 * so they also serve the panel htmx puts in after a filter was chosen. Bootstrap's dialogs that
 * CKAN's modules open by script ("Einbettung" of a resource view) take the focus (CKAN's markup
 * lacks the tabindex Bootstrap needs for it), are named by their title and give the focus back.
 */
(function () {
  "use strict";

  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])";
  var opener = null;

  function panel() {
    return document.getElementById("search-facets");
  }

  function isOpen() {
    return document.body.classList.contains("filters-modal");
  }

  function shown(element) {
    return element.getClientRects().length > 0;
  }

  function open(button) {
    var facets = panel();
    if (!facets) {
      return;
    }
    opener = button;
    document.body.classList.add("filters-modal");
    facets.setAttribute("role", "dialog");
    facets.setAttribute("aria-modal", "true");
    facets.setAttribute("aria-label", button.textContent.trim());
    button.setAttribute("aria-expanded", "true");
    var close = facets.querySelector(".hide-filters");
    (close || facets).focus();
  }

  function close() {
    var facets = panel();
    document.body.classList.remove("filters-modal");
    if (facets) {
      facets.removeAttribute("role");
      facets.removeAttribute("aria-modal");
      facets.removeAttribute("aria-label");
    }
    var button = opener || document.querySelector(".show-filters");
    if (button) {
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
    opener = null;
  }

  var modalOpeners = new WeakMap();
  document.addEventListener("show.bs.modal", function (event) {
    var dialog = event.target;
    modalOpeners.set(dialog, document.activeElement);
    if (!dialog.hasAttribute("tabindex")) {
      dialog.setAttribute("tabindex", "-1");  // Bootstrap moves the focus to the dialog itself
    }
    var title = dialog.querySelector(".modal-title");
    if (title && !dialog.hasAttribute("aria-labelledby")) {
      title.id = title.id || dialog.id + "-title";
      dialog.setAttribute("aria-labelledby", title.id);
    }
  });
  document.addEventListener("hidden.bs.modal", function (event) {
    var origin = modalOpeners.get(event.target);
    if (origin && document.contains(origin)) {
      origin.focus();
    }
  });

  // Bootstrap's tooltips ("Open Definition" on the dataset page): CKAN starts them in its module
  // bundle, which the pages visitors read do without (theme/assets.py); starting one twice is harmless.
  if (window.bootstrap) {
    document.querySelectorAll("[data-bs-toggle=tooltip]").forEach(function (element) {
      window.bootstrap.Tooltip.getOrCreateInstance(element);
    });
  }

  document.addEventListener("click", function (event) {
    var show = event.target.closest(".show-filters");
    if (show) {
      open(show);
    } else if (event.target.closest(".hide-filters")) {
      close();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (!isOpen()) {
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    var facets = panel();
    if (event.key !== "Tab" || !facets) {
      return;
    }
    var inside = Array.prototype.filter.call(facets.querySelectorAll(FOCUSABLE), shown);
    if (!inside.length) {
      return;
    }
    var first = inside[0], last = inside[inside.length - 1];
    if (!facets.contains(document.activeElement)) {
      event.preventDefault();
      first.focus();
    } else if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
}());
