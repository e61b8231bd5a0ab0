from django.test import RequestFactory

from audit.recorder import client_ip


def request(remote="203.0.113.9", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_remote_address_is_recorded(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(forwarded="1.2.3.4")) == "203.0.113.9"


def test_with_one_trusted_proxy_the_address_it_saw_is_recorded(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(forwarded="198.51.100.7")) == "198.51.100.7"


def test_a_client_cannot_forge_its_address_past_the_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 6.6.6.6"; our proxy appended the real address.
    assert client_ip(request(forwarded="6.6.6.6, 198.51.100.7")) == "198.51.100.7"


def test_two_trusted_proxies_take_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(forwarded="6.6.6.6, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"


def test_a_short_or_garbled_header_falls_back_safely(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(forwarded="198.51.100.7")) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(forwarded="not-an-ip")) is None
