"use strict";
// Starts ReDoc on /api/redoc/ (templates/drf_spectacular/redoc.html) under the portal's Content-Security-Policy
// (docs/reliability.md, "Security headers").
(function () {
  // ReDoc's sidebar credit shows Redocly's logo from cdn.redoc.ly. The portal loads nothing from other hosts, and
  // its policy refuses images from them (an error in the console), so the credit goes without the logo: an image is
  // never given an address there, whether as its attribute or its property.
  const elsewhere = (value) => String(value).startsWith("https://cdn.redoc.ly/");
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && name.toLowerCase() === "src" && elsewhere(value)) {
      return undefined;
    }
    return setAttribute.call(this, name, value);
  };
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    ...src,
    set(value) {
      if (!elsewhere(value)) {
        src.set.call(this, value);
      }
    },
  });
  // ReDoc writes its styles as <style> elements while it renders, and tags them with the nonce it is given: the
  // one this script's own element carries.
  const container = document.getElementById("redoc-container");
  const settings = JSON.parse(container.dataset.settings || "{}");
  settings.nonce = document.currentScript.nonce;
  Redoc.init(container.dataset.specUrl, settings, container);
})();
