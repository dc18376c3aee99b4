from app.outbox.models.outgoing_attachment import OutgoingAttachment
from app.outbox.models.outgoing_message import Channel, DeliveryStatus, OutgoingMessage

__all__ = ["Channel", "DeliveryStatus", "OutgoingAttachment", "OutgoingMessage"]
