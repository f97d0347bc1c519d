"""Built-in templates, used when neither the event nor the global set has one of that kind and
language. Jinja2, rendered in a sandbox; see `render.py` for the variables."""

from __future__ import annotations

from orders_core.status import EmailKind

KINDS: tuple[EmailKind, ...] = tuple(EmailKind)

DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("payment_details", "en"): (
        "Payment details for your order {{ order.number }} - {{ event.name }}",
        "Hello {{ order.buyer_first_name }},\n\n"
        "Thank you for your order {{ order.number }} for {{ event.name }}.\n"
        "Amount due: {{ order.balance_due_formatted }}\n\n"
        "Please pay by bank transfer with the reference {{ order.number }}:\n{{ event.bank_details }}\n\n"
        "Your tickets will be issued as soon as the payment is received.\n",
    ),
    ("payment_details", "fr"): (
        "Détails de paiement de votre commande {{ order.number }} - {{ event.name }}",
        "Bonjour {{ order.buyer_first_name }},\n\n"
        "Merci pour votre commande {{ order.number }} pour {{ event.name }}.\n"
        "Montant dû : {{ order.balance_due_formatted }}\n\n"
        "Merci de régler par virement avec la référence {{ order.number }} :\n{{ event.bank_details }}\n\n"
        "Vos billets seront émis dès réception du paiement.\n",
    ),
    ("order_confirmation", "en"): (
        "Your order {{ order.number }} is confirmed - {{ event.name }}",
        "Hello {{ order.buyer_first_name }},\n\n"
        "Your order {{ order.number }} for {{ event.name }} is confirmed.\n"
        "{% for line in lines %}- {{ line.quantity }} x {{ line.name }}: {{ line.total_ttc_formatted }}\n{% endfor %}"
        "Total: {{ order.total_ttc_formatted }}\n\nSee you on {{ event.starts_at_formatted }}.\n",
    ),
    ("order_confirmation", "fr"): (
        "Votre commande {{ order.number }} est confirmée - {{ event.name }}",
        "Bonjour {{ order.buyer_first_name }},\n\n"
        "Votre commande {{ order.number }} pour {{ event.name }} est confirmée.\n"
        "{% for line in lines %}- {{ line.quantity }} x {{ line.name }} : {{ line.total_ttc_formatted }}\n{% endfor %}"
        "Total : {{ order.total_ttc_formatted }}\n\nÀ bientôt, le {{ event.starts_at_formatted }}.\n",
    ),
    ("tickets", "en"): (
        "Your tickets for {{ event.name }} (order {{ order.number }})",
        "Hello {{ order.buyer_first_name }},\n\nHere are the tickets of order {{ order.number }}:\n"
        "{% for item in items %}- {{ item.tariff }}: {{ item.holder_first_name }} {{ item.holder_last_name }}"
        "{% if item.seat %} (seat {{ item.seat }}){% endif %}\n{% endfor %}"
        "\nEach holder's e-ticket is attached as a PDF: print it or show it on a phone at the entrance.\n",
    ),
    ("tickets", "fr"): (
        "Vos billets pour {{ event.name }} (commande {{ order.number }})",
        "Bonjour {{ order.buyer_first_name }},\n\nVoici les billets de la commande {{ order.number }} :\n"
        "{% for item in items %}- {{ item.tariff }} : {{ item.holder_first_name }} {{ item.holder_last_name }}"
        "{% if item.seat %} (siège {{ item.seat }}){% endif %}\n{% endfor %}"
        "\nLe billet électronique de chaque titulaire est joint en PDF : imprimez-le ou présentez-le "
        "sur un téléphone à l'entrée.\n",
    ),
    # One kind for the whole ladder (issue 15): `reminder.step` is due_soon, first, second or final.
    ("payment_reminder", "en"): (
        "{% if reminder.before_due %}Payment due soon{% elif reminder.final %}Final notice"
        "{% elif reminder.step == 'second' %}Second reminder{% else %}Reminder{% endif %}: "
        "order {{ order.number }} - {{ event.name }}",
        "Hello {{ order.buyer_first_name }},\n\n"
        "{% if reminder.before_due %}A friendly reminder: the payment of {{ order.balance_due_formatted }} "
        "for order {{ order.number }} ({{ event.name }}) is due on {{ reminder.due_date_formatted }}.\n"
        "{% elif reminder.final %}Despite our previous reminders, the payment of {{ order.balance_due_formatted }} "
        "for order {{ order.number }} ({{ event.name }}), due on {{ reminder.due_date_formatted }}, has not been "
        "received. This is our final notice: please pay without delay.\n"
        "{% else %}We have not yet received the payment of {{ order.balance_due_formatted }} for order "
        "{{ order.number }} ({{ event.name }}), due on {{ reminder.due_date_formatted }} "
        "({{ reminder.days_overdue }} day{% if reminder.days_overdue > 1 %}s{% endif %} ago).\n{% endif %}"
        "\nBank details (reference {{ order.number }}):\n{{ event.bank_details }}\n"
        "{% if reminder.business %}\n{{ reminder.late_payment_terms }}\n{% endif %}"
        "\nIf you have already paid, please ignore this message.\n",
    ),
    ("payment_reminder", "fr"): (
        "{% if reminder.before_due %}Paiement bientôt dû{% elif reminder.final %}Dernier rappel"
        "{% elif reminder.step == 'second' %}Deuxième rappel{% else %}Rappel{% endif %} : "
        "commande {{ order.number }} - {{ event.name }}",
        "Bonjour {{ order.buyer_first_name }},\n\n"
        "{% if reminder.before_due %}Petit rappel : le paiement de {{ order.balance_due_formatted }} "
        "pour la commande {{ order.number }} ({{ event.name }}) est dû le {{ reminder.due_date_formatted }}.\n"
        "{% elif reminder.final %}Malgré nos précédents rappels, le paiement de {{ order.balance_due_formatted }} "
        "pour la commande {{ order.number }} ({{ event.name }}), dû le {{ reminder.due_date_formatted }}, "
        "ne nous est pas parvenu. Ceci est notre dernier rappel : merci de régler sans délai.\n"
        "{% else %}Nous n'avons pas encore reçu le paiement de {{ order.balance_due_formatted }} pour la "
        "commande {{ order.number }} ({{ event.name }}), dû le {{ reminder.due_date_formatted }} "
        "(il y a {{ reminder.days_overdue }} jour{% if reminder.days_overdue > 1 %}s{% endif %}).\n{% endif %}"
        "\nCoordonnées bancaires (référence {{ order.number }}) :\n{{ event.bank_details }}\n"
        "{% if reminder.business %}\n{{ reminder.late_payment_terms }}\n{% endif %}"
        "\nSi vous avez déjà réglé, merci de ne pas tenir compte de ce message.\n",
    ),
    ("order_changed", "en"): (
        "Your order {{ order.number }} has been updated",
        "Hello {{ order.buyer_first_name }},\n\nYour order {{ order.number }} for {{ event.name }} "
        "has been updated. New total: {{ order.total_ttc_formatted }}"
        "{% if order.balance_due > 0 %}; balance due: {{ order.balance_due_formatted }}{% endif %}.\n",
    ),
    ("order_changed", "fr"): (
        "Votre commande {{ order.number }} a été modifiée",
        "Bonjour {{ order.buyer_first_name }},\n\nVotre commande {{ order.number }} pour {{ event.name }} "
        "a été modifiée. Nouveau total : {{ order.total_ttc_formatted }}"
        "{% if order.balance_due > 0 %} ; reste à payer : {{ order.balance_due_formatted }}{% endif %}.\n",
    ),
    # The worker's expiry (issue 15); an event's (else a global) `order_expired` template replaces it.
    ("order_expired", "en"): (
        "Your order {{ order.number }} has been cancelled - {{ event.name }}",
        "Hello {{ order.buyer_first_name }},\n\nWe did not receive the payment of "
        "{{ order.balance_due_formatted }} for order {{ order.number }} ({{ event.name }}) by its due date, "
        "so the order has been cancelled and its tickets released.\n"
        "If you have paid in the meantime, or still wish to attend, please reply to this email.\n",
    ),
    ("order_expired", "fr"): (
        "Votre commande {{ order.number }} a été annulée - {{ event.name }}",
        "Bonjour {{ order.buyer_first_name }},\n\nNous n'avons pas reçu le paiement de "
        "{{ order.balance_due_formatted }} pour la commande {{ order.number }} ({{ event.name }}) à son échéance : "
        "la commande a donc été annulée et ses billets remis en vente.\n"
        "Si vous avez payé entre-temps, ou souhaitez toujours venir, merci de répondre à ce message.\n",
    ),
    ("refund", "en"): (
        "Refund for your order {{ order.number }} - {{ event.name }}",
        "Hello {{ order.buyer_first_name }},\n\nWe have refunded {{ refund.amount_formatted }} "
        "({{ refund.method }}, {{ refund.refunded_at_formatted }}) for your order {{ order.number }} "
        "for {{ event.name }}.\nOrder total: {{ order.total_ttc_formatted }}; "
        "amount kept: {{ order.amount_paid_formatted }}.\n",
    ),
    ("refund", "fr"): (
        "Remboursement de votre commande {{ order.number }} - {{ event.name }}",
        "Bonjour {{ order.buyer_first_name }},\n\nNous vous avons remboursé {{ refund.amount_formatted }} "
        "({{ refund.method }}, {{ refund.refunded_at_formatted }}) pour votre commande {{ order.number }} "
        "pour {{ event.name }}.\nTotal de la commande : {{ order.total_ttc_formatted }} ; "
        "montant conservé : {{ order.amount_paid_formatted }}.\n",
    ),
}
