from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False)
    alt = blocks.CharBlock(
        label=_("text alternative"), help_text=_("What the image shows, for screen readers.")
    )

    class Meta:
        icon = "image"
        template = "cms/blocks/figure.html"


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(label=_("title"), required=False)

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/document_link.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("heading"), form_classname="title", template="cms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("paragraph"),
        features=["bold", "italic", "link", "ol", "ul", "h3", "h4", "document-link"],
    )
    figure = FigureBlock(label=_("figure"))
    document = DocumentLinkBlock(label=_("document"))
    notice = blocks.RichTextBlock(
        label=_("notice"), features=["bold", "link"], template="cms/blocks/notice.html"
    )
