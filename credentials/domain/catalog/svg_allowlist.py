"""What an SVG badge may contain: the elements, attributes, CSS properties and CSS functions of a static drawing.

Everything else is refused, so what browsers add next year is refused until someone decides it is safe. Missing on
purpose: script, foreignObject, animation (animate, set ...), a (links), switch, cursor, fonts (font-face loads
files), view and every HTML element; the properties and functions that fetch or run (cursor, background,
border-image, content, behavior, -moz-binding, image(), image-set(), cross-fade(), element(), attr(), env()).
"""

from __future__ import annotations

XHTML = "http://www.w3.org/1999/xhtml"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"

WHAT_IS_ALLOWED = "only shapes, text, gradients, patterns, masks, filters and embedded PNG or JPEG images are"

ELEMENTS = frozenset((
    "svg", "g", "defs", "symbol", "use", "title", "desc", "metadata", "style", "path", "rect", "circle",
    "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient",
    "stop", "pattern", "clipPath", "mask", "marker", "image", "filter", "feBlend", "feColorMatrix",
    "feComponentTransfer", "feComposite", "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap",
    "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur",
    "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight", "feSpecularLighting",
    "feSpotLight", "feTile", "feTurbulence",
))  # fmt: skip

# Attributes that are CSS values (presentation attributes): each is also read as CSS, so url() and functions are
# checked in them as in a style.
PRESENTATION = frozenset((
    "alignment-baseline", "baseline-shift", "clip", "clip-path", "clip-rule", "color", "color-interpolation",
    "color-interpolation-filters", "color-rendering", "direction", "display", "dominant-baseline",
    "enable-background", "fill", "fill-opacity", "fill-rule", "filter", "flood-color", "flood-opacity",
    "font-family", "font-size", "font-size-adjust", "font-stretch", "font-style", "font-variant", "font-weight",
    "image-rendering", "isolation", "letter-spacing", "lighting-color", "marker", "marker-end", "marker-mid",
    "marker-start", "mask", "mask-type", "mix-blend-mode", "opacity", "overflow", "paint-order",
    "shape-rendering", "stop-color", "stop-opacity", "stroke", "stroke-dasharray", "stroke-dashoffset",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity", "stroke-width", "text-anchor",
    "text-decoration", "text-rendering", "transform", "transform-origin", "unicode-bidi", "vector-effect",
    "visibility", "white-space", "word-spacing", "writing-mode",
))  # fmt: skip
ATTRIBUTES = PRESENTATION | frozenset((
    "id", "class", "style", "lang", "tabindex", "role", "aria-label", "aria-labelledby", "aria-describedby",
    "aria-hidden", "focusable", "version", "baseProfile", "viewBox", "preserveAspectRatio", "width", "height",
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr", "d", "points",
    "pathLength", "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "method", "spacing",
    "side", "href", "type", "media", "gradientUnits", "gradientTransform", "spreadMethod", "offset",
    "patternUnits", "patternContentUnits", "patternTransform", "clipPathUnits", "maskUnits", "maskContentUnits",
    "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient", "filterUnits", "primitiveUnits",
    "in", "in2", "result", "stdDeviation", "mode", "values", "tableValues", "slope", "intercept", "amplitude",
    "exponent", "operator", "k1", "k2", "k3", "k4", "order", "kernelMatrix", "divisor", "bias", "targetX",
    "targetY", "edgeMode", "preserveAlpha", "surfaceScale", "diffuseConstant", "specularConstant",
    "specularExponent", "kernelUnitLength", "azimuth", "elevation", "z", "pointsAtX", "pointsAtY", "pointsAtZ",
    "limitingConeAngle", "scale", "xChannelSelector", "yChannelSelector", "radius", "baseFrequency",
    "numOctaves", "seed", "stitchTiles",
))  # fmt: skip

# CSS properties allowed in style attributes and <style>: the presentation attributes, the text and font properties
# drawing programs write, and Inkscape's own (any "-inkscape-..." property is allowed too).
PROPERTIES = PRESENTATION | frozenset((
    "font", "font-feature-settings", "font-kerning", "font-variant-caps", "font-variant-east-asian",
    "font-variant-ligatures", "font-variant-numeric", "font-variant-position", "font-variation-settings",
    "line-height", "text-align", "text-decoration-color", "text-decoration-line", "text-decoration-style",
    "text-indent", "text-orientation", "text-transform", "transform-box", "inline-size", "shape-inside",
    "shape-padding", "shape-margin", "solid-color", "solid-opacity",
))  # fmt: skip

CSS_FUNCTIONS = frozenset((
    "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color", "color-mix", "calc", "min",
    "max", "clamp", "var", "matrix", "matrix3d", "translate", "translatex", "translatey", "translate3d",
    "scale", "scalex", "scaley", "rotate", "skew", "skewx", "skewy",
))  # fmt: skip

# Namespaces of drawing programs' own notes (Inkscape, Sodipodi, Illustrator, Affinity, Sketch, Boxy SVG) and of
# their RDF metadata: browsers give their elements and attributes no behaviour at all, so they are allowed as they are.
EDITOR_NAMESPACES = frozenset(
    {
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://creativecommons.org/ns#",
        "http://web.resource.org/cc/",
        "http://ns.adobe.com/AdobeIllustrator/10.0/",
        "http://ns.adobe.com/AdobeSVGViewerExtensions/3.0/",
        "http://ns.adobe.com/Extensibility/1.0/",
        "http://ns.adobe.com/Graphs/1.0/",
        "http://ns.adobe.com/SaveForWeb/1.0/",
        "http://ns.adobe.com/Variables/1.0/",
        "http://ns.adobe.com/ImageReplacement/1.0/",
        "http://ns.adobe.com/GenericCustomNamespace/1.0/",
        "http://ns.adobe.com/XPath/1.0/",
        "http://www.serif.com/",
        "http://www.bohemiancoding.com/sketch/ns",
        "https://boxy-svg.com",
    }
)
