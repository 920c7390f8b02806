/* What the browser tests measure on a page as Chromium renders it (tests/browser/test_pages_read_well.py).
 * Defines window.chemnitzChecks; each check returns plain data for pytest to judge. */
window.chemnitzChecks = (function () {
  "use strict";

  var FOCUSABLE = "a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, iframe, " +
    "[contenteditable=''], [contenteditable=true], [tabindex]:not([tabindex='-1'])";

  function rgba(text) {
    var m = /rgba?\(([^)]+)\)/.exec(text || "");
    if (!m) {
      return null;
    }
    var parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  }

  function luminance(c) {
    function channel(v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  }

  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function over(top, bottom) {
    var a = top.a;
    return { r: top.r * a + bottom.r * (1 - a), g: top.g * a + bottom.g * (1 - a), b: top.b * a + bottom.b * (1 - a), a: 1 };
  }

  /* The colour behind an element: its ancestors' background colours, composed from the page down. */
  function backgroundBehind(element) {
    var layers = [];
    for (var node = element; node && node.nodeType === 1; node = node.parentElement) {
      var colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0) {
        layers.push(colour);
        if (colour.a >= 1) {
          break;
        }
      }
    }
    var result = { r: 255, g: 255, b: 255, a: 1 };
    for (var i = layers.length - 1; i >= 0; i--) {
      result = over(layers[i], result);
    }
    return result;
  }

  function describe(element) {
    var name = (element.getAttribute("aria-label") || element.innerText || element.value || element.getAttribute("title") ||
      element.getAttribute("placeholder") || "").replace(/\s+/g, " ").trim().slice(0, 60);
    var id = element.id ? "#" + element.id : "";
    var cls = typeof element.className === "string" && element.className ? "." + element.className.trim().split(/\s+/).join(".") : "";
    return element.tagName.toLowerCase() + id + cls + (name ? " \"" + name + "\"" : "");
  }

  function snapshot(element) {
    var s = getComputedStyle(element);
    return {
      outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0, outlineColor: s.outlineColor,
      outlineOffset: parseFloat(s.outlineOffset) || 0, boxShadow: s.boxShadow, background: s.backgroundColor,
      border: s.borderTopColor + " " + s.borderTopWidth, color: s.color, decoration: s.textDecorationLine,
    };
  }

  /* box-shadow "rgb(…) 0px 0px 0px 6px, …" into {colour, spread, inset} parts. */
  function shadows(text) {
    if (!text || text === "none") {
      return [];
    }
    return text.split(/,(?![^(]*\))/).map(function (part) {
      var colour = rgba(part);
      var lengths = part.replace(/rgba?\([^)]*\)/, "").match(/-?[\d.]+px/g) || [];
      return { colour: colour, blur: parseFloat(lengths[2] || 0), spread: parseFloat(lengths[3] || 0), inset: /inset/.test(part), text: part.trim() };
    });
  }

  /* How far the ring of an outline is clipped away by scrolling or overflow-hidden ancestors:
   * the sides of the element on which no part of the ring can be seen. */
  function hiddenSides(element, ring) {
    var rect = element.getBoundingClientRect();
    var box = { left: rect.left - ring, top: rect.top - ring, right: rect.right + ring, bottom: rect.bottom + ring };
    for (var node = element.parentElement; node && node !== document.documentElement; node = node.parentElement) {
      var s = getComputedStyle(node);
      if (s.overflowX !== "visible" || s.overflowY !== "visible") {
        var clip = node.getBoundingClientRect();
        box = { left: Math.max(box.left, clip.left), top: Math.max(box.top, clip.top),
                right: Math.min(box.right, clip.right), bottom: Math.min(box.bottom, clip.bottom) };
      }
    }
    var hidden = 0;
    if (box.left >= rect.left - 0.5) { hidden++; }
    if (box.top >= rect.top - 0.5) { hidden++; }
    if (box.right <= rect.right + 0.5) { hidden++; }
    if (box.bottom <= rect.bottom + 0.5) { hidden++; }
    return hidden;
  }

  /* Transitions off: what is measured is the rendering a visitor sees once it has settled. */
  function settled() {
    if (!document.getElementById("chemnitz-checks-settled")) {
      var style = document.createElement("style");
      style.id = "chemnitz-checks-settled";
      style.textContent = "*, *::before, *::after { transition: none !important; animation: none !important; }";
      document.head.appendChild(style);
    }
  }

  /* The focus indicator of one element: a change between its unfocused and focused rendering
   * of at least 2 px with 3:1 against the colour around it (WCAG 2.4.7, 1.4.11). */
  function indicator(element, before, after) {
    var around = backgroundBehind(element.parentElement || element);
    var own = rgba(after.background);
    var inside = own && own.a > 0 ? over(own, around) : around;
    var found = [];
    if (after.outlineStyle !== "none" && after.outlineWidth >= 2 &&
        (before.outlineStyle === "none" || before.outlineColor !== after.outlineColor || before.outlineWidth < 2)) {
      var outline = rgba(after.outlineColor);
      var adjacent = after.outlineOffset > 0 ? around : inside;
      var ratio = outline ? contrast(over(outline, adjacent), adjacent) : 0;
      var ring = after.outlineOffset + after.outlineWidth;
      if (ratio >= 3 && hiddenSides(element, ring) < 3) {
        return null;
      }
      found.push("outline " + after.outlineWidth + "px " + after.outlineColor + " " + ratio.toFixed(2) + ":1" +
        (ratio >= 3 ? " (clipped by its container)" : ""));
    }
    var previous = shadows(before.boxShadow).map(function (s) { return s.text; });
    var added = shadows(after.boxShadow).filter(function (s) { return s.colour && s.spread >= 2 && previous.indexOf(s.text) < 0; });
    for (var i = 0; i < added.length; i++) {
      var base = added[i].inset ? inside : around;
      var shadowRatio = contrast(over(added[i].colour, base), base);
      if (shadowRatio >= 3 && hiddenSides(element, added[i].inset ? 0 : added[i].spread) < 3) {
        return null;
      }
      found.push("box-shadow " + added[i].text + " " + shadowRatio.toFixed(2) + ":1");
    }
    var was = rgba(before.background), now = rgba(after.background);
    if (was && now && before.background !== after.background) {
      var backgroundRatio = contrast(over(now, around), over(was, around));
      if (backgroundRatio >= 3) {
        return null;
      }
      found.push("background " + before.background + " -> " + after.background + " " + backgroundRatio.toFixed(2) + ":1");
    }
    return found.length ? found.join("; ") : "no visible change";
  }

  /* Every focusable element of the page, focused one after the other as Tab does (after a key
   * press, focus moved by script from a :focus-visible element is :focus-visible too): those whose
   * focus cannot be seen. The unfocused rendering is taken first, while a stand-in has the focus. */
  function focusProblems() {
    var problems = [];
    var checked = 0;
    settled();
    var standIn = document.createElement("span");
    standIn.tabIndex = -1;
    standIn.style.cssText = "position: absolute; left: 0; top: 0; width: 1px; height: 1px; overflow: hidden;";
    document.body.appendChild(standIn);
    standIn.focus({ preventScroll: true });
    var elements = Array.prototype.filter.call(document.querySelectorAll(FOCUSABLE), function (element) {
      return !element.disabled && !element.closest("[inert], [hidden]");
    });
    var before = elements.map(snapshot);
    elements.forEach(function (element, index) {
      element.focus({ preventScroll: true });
      if (document.activeElement !== element) {
        return;  // not rendered (display: none, closed <details> …), or a widget's stand-in took the focus
      }
      checked += 1;
      var rect = element.getBoundingClientRect();
      var problem;
      if (rect.width < 1 || rect.height < 1) {
        problem = "focused but not shown";
      } else if (!element.matches(":focus-visible")) {
        problem = "focused without :focus-visible";
      } else {
        problem = indicator(element, before[index], snapshot(element));
      }
      if (problem) {
        problems.push(describe(element) + ": " + problem);
      }
    });
    standIn.focus({ preventScroll: true });
    standIn.remove();
    return { checked: checked, problems: problems };
  }

  /* Whether a person or a screen reader meets the element: rendered, or named by a rendered one. */
  function rendered(element) {
    return element.checkVisibility({ visibilityProperty: true }) && !element.closest("[aria-hidden=true]");
  }

  /* Every text a person or a screen reader meets: text, accessible names, descriptions, tooltips,
   * placeholders, alternative texts, the title and the meta description, with where it is.
   * Code (source attribute names, identifiers) is left out: it is not language. */
  function spokenTexts() {
    var texts = [["title", document.title, "title"]];
    var description = document.querySelector("meta[name=description]");
    texts.push(["meta description", description ? description.content : "", "meta"]);
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var parent = node.parentElement;
      var text = node.textContent.replace(/\s+/g, " ").trim();
      if (text && parent && !parent.closest("script, style, code, kbd, samp, pre, noscript, [translate=no]") && rendered(parent)) {
        texts.push(["text", text, describe(parent)]);
      }
    }
    document.body.innerText.split("\n").forEach(function (line) {
      line = line.replace(/\s+/g, " ").trim();
      if (line) {
        texts.push(["line", line, "body"]);
      }
    });
    var attributes = ["aria-label", "aria-description", "aria-roledescription", "aria-valuetext", "alt", "title",
                      "placeholder", "data-bs-title", "data-bs-original-title", "data-original-title"];
    document.querySelectorAll("body *").forEach(function (element) {
      if (element.closest("script, style, [aria-hidden=true]") || (!rendered(element) && !element.matches("input, select, textarea"))) {
        return;
      }
      attributes.forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value && value.trim()) {
          texts.push([attribute, value.replace(/\s+/g, " ").trim(), describe(element)]);
        }
      });
      if (element.matches("input[type=submit], input[type=button], input[type=reset]") && element.value) {
        texts.push(["value", element.value, describe(element)]);
      }
      if (element.tagName === "svg" && element.querySelector("title")) {
        texts.push(["svg title", element.querySelector("title").textContent.trim(), describe(element)]);
      }
    });
    return texts;
  }

  /* Words broken in the middle across two lines ("Schulverwaltu ngsamt", CKAN's word-break:
   * break-all): a word of letters must stay on one line; breaks after hyphens and in addresses,
   * ids and code are fine. (Chromium has no German hyphenation dictionary here: a break inside a
   * word is never a hyphenation.) */
  /* Visually hidden for screen readers (Bootstrap's .visually-hidden and the like). */
  function clipped(element) {
    for (var node = element; node && node !== document.body; node = node.parentElement) {
      var style = getComputedStyle(node);
      if ((style.position === "absolute" && style.clip !== "auto") || style.clipPath !== "none") {
        return true;
      }
    }
    return false;
  }

  function brokenWords() {
    var broken = [];
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    var range = document.createRange();
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var parent = node.parentElement;
      if (!parent || parent.closest("script, style, code, pre, .leaflet-container") || !rendered(parent) || clipped(parent)) {
        continue;
      }
      var word = /[A-Za-zÄÖÜäöüß]{4,}/g;
      var text = node.textContent;
      for (var match = word.exec(text); match; match = word.exec(text)) {
        var before = text.charAt(match.index - 1), after = text.charAt(match.index + match[0].length);
        if (/[\w./@:]/.test(before) || /[\w./@:]/.test(after)) {
          continue;  // part of an address, id or number
        }
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        var tops = Array.prototype.map.call(range.getClientRects(), function (r) { return Math.round(r.top); });
        if (tops.length > 1 && Math.max.apply(null, tops) - Math.min.apply(null, tops) > 2) {
          broken.push(match[0] + " in " + describe(parent));
        }
      }
    }
    return broken;
  }

  /* Placeholders longer than their field is wide: the end of the hint is cut off. */
  function cutPlaceholders() {
    var canvas = document.createElement("canvas").getContext("2d");
    var cut = [];
    document.querySelectorAll("input[placeholder], textarea[placeholder]").forEach(function (field) {
      if (!rendered(field) || clipped(field) || field.value) {
        return;
      }
      var style = getComputedStyle(field);
      canvas.font = style.fontStyle + " " + style.fontWeight + " " + style.fontSize + " " + style.fontFamily;
      var room = field.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      var needed = canvas.measureText(field.placeholder).width;
      if (needed > room + 0.5) {
        cut.push(describe(field) + ": " + Math.round(needed) + " px of text in " + Math.round(room) + " px");
      }
    });
    return cut;
  }

  return { focusProblems: focusProblems, spokenTexts: spokenTexts, brokenWords: brokenWords, cutPlaceholders: cutPlaceholders };
}());
