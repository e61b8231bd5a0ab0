// What people hit on every page: avatars that fail fall back to initials, a modal dialog keeps
// Tab inside and gives focus back to what opened it, "/" goes to the search box, copying is
// announced. No inline handlers (strict CSP); console.js owns htmx and the dialogs' life cycle.
(function () {
  "use strict";

  // --- Avatars: a picture that fails is removed, the initials under it show. ---------------
  function dropAvatar(img) {
    if (img && img.matches && img.matches("img[data-avatar]")) img.remove();
  }
  // `error` does not bubble: listen in the capture phase, for every image now and later.
  document.addEventListener("error", function (event) { dropAvatar(event.target); }, true);
  function dropFailedAvatars(root) {
    // Images that failed before this script ran.
    (root.querySelectorAll ? root : document).querySelectorAll("img[data-avatar]").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0) dropAvatar(img);
    });
  }

  // --- Dialogs: Tab stays inside; focus goes back to the opener. --------------------------
  const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  let opener = null;

  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest('[hx-target="#dialog-slot"]');
    if (!link) return;
    // A menu item disappears when its menu closes: the menu's button takes the focus back.
    const menu = link.closest("details");
    opener = menu ? menu.querySelector("summary") : link;
  }, true);

  // `close` does not bubble either.
  document.addEventListener("close", function (event) {
    const dialog = event.target;
    if (!(dialog instanceof HTMLDialogElement) || !dialog.closest("#dialog-slot")) return;
    const back = opener;
    opener = null;
    if (back && back.isConnected) back.focus();
  }, true);

  function visible(element) {
    return element.getClientRects().length > 0 && getComputedStyle(element).visibility !== "hidden";
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Tab") {
      const dialog = document.querySelector("dialog:modal");
      if (!dialog) return;
      const stops = Array.from(dialog.querySelectorAll(FOCUSABLE)).filter(visible);
      if (!stops.length) return;
      const first = stops[0];
      const last = stops[stops.length - 1];
      const inside = dialog.contains(document.activeElement);
      if (event.shiftKey && (document.activeElement === first || !inside)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
        event.preventDefault();
        first.focus();
      }
      return;
    }
    // "/" focuses the search box, unless someone is typing or a dialog is open.
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey) {
      const active = document.activeElement;
      if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) return;
      if (document.querySelector("dialog:modal")) return;
      const search = document.querySelector('input[type="search"][aria-keyshortcuts="/"]');
      if (!search) return;
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  // --- Copy: a screen reader hears what the button now shows. -----------------------------
  // console.js changes the button's text to "Copied" (or "Copy failed"); say it in the live
  // region of the dialog or page around it (content outside a modal dialog is not read).
  const copyObserver = new MutationObserver(function (records) {
    for (const record of records) {
      const button = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      if (!button || !button.matches("button[data-copy-target], button[data-copy]")) continue;
      const label = button.textContent.trim();
      const copied = label === "Copied";
      button.classList.toggle("copied", copied);
      if (label !== button.dataset.label) announce(button, label);
    }
  });

  function announce(near, text) {
    const scope = near.closest("dialog") || document.body;
    let region = scope.querySelector(":scope [data-live-status]");
    if (!region) {
      region = document.createElement("span");
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.dataset.liveStatus = "";
      scope.appendChild(region);
    }
    region.textContent = text;
  }

  function watchCopyButtons() {
    copyObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    dropFailedAvatars(document);
    watchCopyButtons();
  });
  document.addEventListener("htmx:load", function (event) { dropFailedAvatars(event.target); });

  // The user table's filter form sends only the facets that are set, so its URLs stay short.
  document.addEventListener("htmx:configRequest", function (event) {
    const form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-drop-empty]")) return;
    const data = event.detail.formData;
    for (const [name, value] of Array.from(data.entries())) {
      if (value === "") data.delete(name);
    }
  });
})();
