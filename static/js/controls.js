// Chinese-labelled controls (templates/_controls.html) and auto-submitting filters, without inline handlers.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.classList && el.classList.contains("zh-file-input")) {
    var name = el.parentNode.querySelector(".zh-file-name");
    var count = el.files ? el.files.length : 0;
    if (name) name.textContent = count > 1 ? el.files[0].name + " 等" + count + "个文件" : (count ? el.files[0].name : name.getAttribute("data-empty"));
  }
  if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});

// Texts with a length limit (templates/_controls.html `limit`): the count beside each reads 剩余 N 字
// as people type, or how far over it is. Nothing is cut: the server refuses longer text and keeps it.
function textLength(text) {
  return Array.from(text.replace(/\r\n?/g, "\n")).length;  // characters, as the server counts them
}
function showCount(field) {
  var limit = parseInt(field.getAttribute("data-limit"), 10);
  var count = document.getElementById(field.id + "-count");
  if (!count || !limit) return;
  var left = limit - textLength(field.value);
  var longPost = field.hasAttribute("data-long-post");  // a search box: a longer text is a long-text search
  count.textContent = left >= 0 ? "剩余 " + left + " 字" : longPost ?
    "超过 " + limit + " 字：按回车或「检索」作为长文检索提交，只按前 " + limit + " 字查找" :
    "超出 " + (-left) + " 字（最多 " + limit + " 字），请删减后再提交";
  count.classList.toggle("over", left < 0 && !longPost);
  if (count.hasAttribute("data-only-over")) count.hidden = left >= 0;
  if (left < 0 && !longPost) field.setAttribute("aria-invalid", "true"); else field.removeAttribute("aria-invalid");
}
function showCounts(root) {
  Array.prototype.forEach.call(root.querySelectorAll("[data-limit]"), showCount);
}
document.addEventListener("input", function (event) {
  if (event.target.hasAttribute && event.target.hasAttribute("data-limit")) showCount(event.target);
});
document.addEventListener("DOMContentLoaded", function () { showCounts(document); });
document.addEventListener("htmx:load", function (event) { if (event.detail.elt.querySelectorAll) showCounts(event.detail.elt); });

// Search boxes (data-long-post): a text longer than the box's limit is not put into the address (a
// long address is refused by the server) but posted to the search page: the long-text search, which
// says how much of it was searched.
function overLimit(box) {
  return box && textLength(box.value) > parseInt(box.getAttribute("data-limit"), 10);
}
document.addEventListener("htmx:beforeRequest", function (event) {
  var elt = event.detail.elt;
  var box = elt.hasAttribute && elt.hasAttribute("data-long-post") ? elt : elt.querySelector && elt.querySelector("[data-long-post]");
  if (overLimit(box)) event.preventDefault();  // no search as you type with an over-long text
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  var box = form.querySelector && form.querySelector("[data-long-post]");
  if (!overLimit(box)) return;
  event.preventDefault();
  var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  var hidden = document.createElement("input");
  hidden.type = "hidden";
  hidden.name = "csrf_token";
  hidden.value = token || "";
  form.appendChild(hidden);
  form.method = "post";
  form.submit();
});
