// Small glue for htmx: show a message when a request fails instead of failing silently.
document.addEventListener("htmx:responseError", function (event) {
  var toast = document.getElementById("toast");
  if (!toast) return;
  var status = event.detail.xhr.status;
  var text = status === 403 ? "无权执行此操作。" :
             status === 404 ? "内容不存在或已被删除。" :
             status === 409 ? "内容已被他人修改，请刷新后重试。" :
             status === 503 ? "数据库暂时不可用，操作未保存，请稍后重试。" :
             "操作失败（" + status + "），请稍后再试。";
  toast.textContent = text;
  toast.hidden = false;
  // Checkboxes that sent the failed request show their saved (server-rendered) state again;
  // typed text is left alone so nothing the user wrote is lost.
  var elt = event.detail.elt;
  if (elt && elt.querySelectorAll) {
    var boxes = elt.type === "checkbox" ? [elt] : elt.querySelectorAll("input[type=checkbox]");
    Array.prototype.forEach.call(boxes, function (box) { box.checked = box.defaultChecked; });
  }
});
document.addEventListener("htmx:sendError", function () {
  var toast = document.getElementById("toast");
  if (!toast) return;
  toast.textContent = "无法连接服务器，请检查网络后重试。";
  toast.hidden = false;
});
document.addEventListener("htmx:beforeRequest", function () {
  var toast = document.getElementById("toast");
  if (toast) toast.hidden = true;
});

// Behaviour that used to sit in inline handlers (the Content-Security-Policy forbids them).
// <select data-autosubmit>: submit its form on change.
document.addEventListener("change", function (event) {
  var select = event.target.closest && event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});
// <form data-confirm="…">: ask before an action that removes or moves something (archive, restore,
// merge, delete); "取消" stops the submit in the capture phase, before htmx or the browser sends it.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
// <form data-month-base="/reports/unit/">: open base + the chosen month.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var base = form.getAttribute && form.getAttribute("data-month-base");
  if (!base || !form.month || !form.month.value) return;
  event.preventDefault();
  location.href = base + form.month.value;
});

// A box ticked while the page is still loading, before htmx has bound the page's controls, would
// show as ticked but never be saved. This script runs in <head>, before htmx: it notes such changes
// until the document is parsed (htmx binds the controls just after) and sends them once htmx is ready.
var earlyChanges = [];
function noteEarlyChange(event) {
  if (earlyChanges.indexOf(event.target) < 0) earlyChanges.push(event.target);
}
document.addEventListener("change", noteEarlyChange, true);
document.addEventListener("DOMContentLoaded", function () {
  document.removeEventListener("change", noteEarlyChange, true);
});
document.addEventListener("htmx:load", function sendEarlyChanges() {
  document.removeEventListener("htmx:load", sendEarlyChanges);
  earlyChanges.forEach(function (elt) {
    var toggled = elt.type !== "checkbox" && elt.type !== "radio" || elt.checked !== elt.defaultChecked;
    if (elt.isConnected && toggled) elt.dispatchEvent(new Event("change", {bubbles: true}));
  });
  earlyChanges = [];
});
