"""GOV.UK Notify, shared by the notifications service (sending) and the councils' administration (settings):
the e-mail port, the official client behind it, and the check-and-save of a council's Notify settings."""

# A council's GOV.UK Notify API key in the secrets store (shared/notify/settings.py).
NOTIFY_API_KEY_SECRET = "{council}/notify-api-key"
# The bearer token a council gave Notify for its delivery-status callbacks (`bops councils set-notify
# --callback-token`, or the administration's settings page).
NOTIFY_CALLBACK_TOKEN_SECRET = "{council}/notify-callback-token"
