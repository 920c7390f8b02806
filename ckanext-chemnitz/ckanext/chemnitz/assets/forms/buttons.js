/* The buttons of CKAN's and ckanext-scheming's forms, without inline script.
 *
 * The portal's Content Security Policy (script-src 'self', ckanext/chemnitz/security/headers.py)
 * blocks onclick/onchange attributes, javascript: links and htmx's hx-on (which compiles strings
 * into functions), so the stock templates' buttons did nothing. The portal's copies of those
 * templates say in data attributes what a button does, and this script does it. Listeners sit
 * on the document, so fields added later and parts htmx swaps in work, too.
 *
 * - templates/package/snippets/resource_upload_field.html ("Hochladen", "Link", "Entfernen"):
 *   data-chemnitz-check (the radio or checkbox to tick), data-chemnitz-clear (the input to empty),
 *   data-chemnitz-focus (the element to focus), data-chemnitz-click (the file chooser to open).
 * - templates/scheming/form_snippets/multiple_text.html (repeated text fields): buttons named
 *   multiple-add and multiple-remove.
 * - templates/user/snippets/api_token_*.html: ticking a token enables "Token zurückziehen".
 */
(function () {
  "use strict";

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  function runFieldAction(button) {
    var check = byId(button.dataset.chemnitzCheck);
    var clear = byId(button.dataset.chemnitzClear);
    var focus = byId(button.dataset.chemnitzFocus);
    var click = byId(button.dataset.chemnitzClick);
    if (check) {
      check.checked = true;
    }
    if (clear) {
      clear.value = "";
    }
    if (focus) {
      focus.focus();
    }
    if (click) {
      click.click();
    }
  }

  function addTextField(button) {
    var list = button.closest("fieldset").querySelector("ol.multiple-text-group");
    var items = list.querySelectorAll(":scope > li");
    var copy = items[items.length - 1].cloneNode(true);
    copy.querySelectorAll(".error-block").forEach(function (message) { message.remove(); });
    var input = copy.querySelector("input");
    input.value = "";
    list.appendChild(copy);
    input.focus();
  }

  function removeTextField(button) {
    var item = button.closest("li");
    var neighbour = item.previousElementSibling || item.nextElementSibling;
    if (!neighbour) { // the only field is emptied, not removed: the form keeps its input
      item.querySelector("input").value = "";
      item.querySelector("input").focus();
      return;
    }
    item.remove();
    neighbour.querySelector("input").focus();
  }

  function updateRevokeButton() {
    var revoke = byId("revoke-tokens-button");
    if (revoke) {
      revoke.disabled = !document.querySelector("#api-tokens-table input[name=token]:checked");
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-chemnitz-check], [data-chemnitz-focus], [name=multiple-add], [name=multiple-remove]");
    if (!button) {
      return;
    }
    event.preventDefault();
    if (button.getAttribute("name") === "multiple-add") {
      addTextField(button);
    } else if (button.getAttribute("name") === "multiple-remove") {
      removeTextField(button);
    } else {
      runFieldAction(button);
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("#api-tokens-table input[name=token]")) {
      updateRevokeButton();
    }
  });

  // As CKAN's hx-on did: the button is disabled once tokens are revoked; a new token is scrolled to.
  document.addEventListener("htmx:afterRequest", function (event) {
    var revoke = byId("revoke-tokens-button");
    if (revoke && event.target.id === "api-tokens-revoke-form") {
      revoke.disabled = true;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var created = byId(event.target.dataset && event.target.dataset.chemnitzCreatedToken);
    if (created) {
      created.scrollIntoView(false);
    }
  });
}());
