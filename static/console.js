// Gatehouse console behaviour: dialogs and copy buttons. No inline handlers (strict CSP).
(function () {
  "use strict";

  function openDialogs(root) {
    const dialogs = root.matches && root.matches("dialog[data-modal]") ? [root] : [];
    root.querySelectorAll && dialogs.push(...root.querySelectorAll("dialog[data-modal]"));
    for (const dialog of dialogs) {
      if (dialog.dataset.bound) continue;
      dialog.dataset.bound = "1";
      if (dialog.closest("#dialog-slot") && !dialog.open) dialog.showModal();
      dialog.addEventListener("close", function () {
        if (!dialog.closest("#dialog-slot")) return;
        const event = dialog.dataset.refreshOnClose;
        // Remove the dialog so nothing it showed (a password) stays in the page or its history.
        dialog.remove();
        if (event && window.htmx) window.htmx.trigger(document.body, event);
      });
    }
  }

  async function copyText(button) {
    const target = document.querySelector(button.dataset.copyTarget);
    const text = target ? target.textContent.trim() : button.dataset.copy || "";
    try {
      await navigator.clipboard.writeText(text);
      flash(button, "Copied");
    } catch (error) {
      flash(button, "Copy failed");
    }
  }

  function flash(button, label) {
    const original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    button.textContent = label;
    setTimeout(function () { button.textContent = original; }, 1500);
  }

  document.addEventListener("click", function (event) {
    const copy = event.target.closest("button[data-copy-target], button[data-copy]");
    if (copy) {
      event.preventDefault();
      copyText(copy);
      return;
    }
    const menuItem = event.target.closest("details.menu a");
    if (menuItem) menuItem.closest("details").removeAttribute("open");
    const close = event.target.closest("[data-close-dialog]");
    if (close) {
      const dialog = close.closest("dialog");
      if (dialog && dialog.closest("#dialog-slot")) {
        event.preventDefault();
        dialog.close();
      }
    }
  });

  // Leaving the page (a link, Back) must not let the back/forward cache keep a shown secret.
  window.addEventListener("pagehide", function () {
    document.querySelectorAll('#dialog-slot dialog[hx-history="false"]').forEach(function (dialog) {
      dialog.remove();
    });
  });

  document.addEventListener("DOMContentLoaded", function () { openDialogs(document); });
  document.addEventListener("htmx:load", function (event) { openDialogs(event.target); });
})();
