/* Form errors that assistive technology can find (WCAG 3.3.1, 4.1.2; BITV 2.0).
 *
 * CKAN's form macros show each field's error next to it and a summary above the form, but neither
 * is tied to the field. Here every field with an error gets aria-invalid and its message as
 * description, each summary entry becomes a link to its field, and the summary takes the focus
 * so that screen readers read it first.
 */
(function () {
  "use strict";

  function labelText(label) {
    return label.textContent.replace(/\*/g, "").replace(/\s+/g, " ").trim();
  }

  document.querySelectorAll(".form-group.error").forEach(function (group) {
    var control = group.querySelector("input:not([type=hidden]), textarea, select");
    var message = group.querySelector(".error-block");
    if (!control) {
      return;
    }
    control.setAttribute("aria-invalid", "true");
    if (message && control.id) {
      message.id = message.id || control.id + "-error";
      var described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(message.id) < 0) {
        described.push(message.id);
      }
      control.setAttribute("aria-describedby", described.join(" "));
    }
  });

  /* Inputs CKAN's and ckanext-scheming's widgets leave without a name: the repeated text
     fields of a multiple-text field and select2's comboboxes get their form group's label. */
  var labelIds = 0;

  function labelOf(group) {
    var label = group && group.querySelector("label.form-label, label");
    if (label && !label.id) {
      labelIds += 1;
      label.id = "chemnitz-label-" + labelIds;
    }
    return label;
  }

  function nameUnnamed(root) {
    root.querySelectorAll(".form-group input:not([type=hidden]):not([id]), .form-group .select2-selection[role=combobox]")
      .forEach(function (control) {
        if (control.getAttribute("aria-label") || control.getAttribute("aria-labelledby")) {
          return;
        }
        var label = labelOf(control.closest(".form-group"));
        if (label) {
          control.setAttribute("aria-labelledby", label.id);
        }
      });
  }

  // Only the forms are watched (the widgets are made inside them): watching the whole page would
  // search it again for every tile and marker a map adds (Lighthouse on /parken: 0.45 s of script).
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector(".form-group")) {
      return;
    }
    nameUnnamed(form);
    new MutationObserver(function () { nameUnnamed(form); }).observe(form, { childList: true, subtree: true });
  });

  var summary = document.querySelector(".error-explanation");
  if (!summary) {
    return;
  }
  var labels = Array.prototype.slice.call(document.querySelectorAll("form label[for]"));
  summary.querySelectorAll("li[data-field-label]").forEach(function (item) {
    // ckanext-scheming names the field (notes), CKAN's own forms its label (Beschreibung).
    var wanted = item.getAttribute("data-field-label").trim();
    var field = document.getElementById("field-" + wanted);
    if (!field) {
      var label = labels.find(function (candidate) { return labelText(candidate) === wanted; });
      field = label && document.getElementById(label.htmlFor);
    }
    if (!field) {
      return;
    }
    var link = document.createElement("a");
    link.href = "#" + field.id;
    while (item.firstChild) {
      link.appendChild(item.firstChild);
    }
    item.appendChild(link);
  });
  summary.setAttribute("role", "alert");
  summary.setAttribute("tabindex", "-1");
  summary.focus();
}());
