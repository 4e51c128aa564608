// Small glue for htmx: show a message when a request fails instead of failing silently.
document.addEventListener("htmx:responseError", function (event) {
  var toast = document.getElementById("toast");
  if (!toast) return;
  var status = event.detail.xhr.status;
  var text = status === 403 ? "无权执行此操作。" :
             status === 404 ? "内容不存在或已被删除。" :
             status === 409 ? "内容已被他人修改，请刷新后重试。" :
             "操作失败（" + status + "），请稍后再试。";
  toast.textContent = text;
  toast.hidden = false;
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
