"""factory_boy factories for accounts (STYLE: one factories module per app)."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import Agreement, Contact, Organisation, Site, User

TEST_PASSWORD = "Correct-horse-battery-9"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Customer {n}")
    kind = Organisation.Kind.CUSTOMER


class ResellerFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Reseller {n}")
    kind = Organisation.Kind.RESELLER


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    customer = factory.SubFactory(OrganisationFactory)
    programme = Agreement.Programme.PA
    number = factory.Sequence(lambda n: f"AG-{n:06d}")
    anniversary_month = 3


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    number = factory.Sequence(lambda n: f"{5000000 + n:07d}")
    name = factory.Sequence(lambda n: f"Site {n}")
    address_line1 = "1 Main Street"
    city = "Warszawa"
    postcode = "00-001"
    country = "PL"
    time_zone = "Europe/Warsaw"
    language = "en"
    agreement = factory.SubFactory(AgreementFactory)
    customer = factory.SelfAttribute("agreement.customer")
    reseller = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


def with_totp(user: User, secret: str = TEST_TOTP_SECRET) -> User:
    """Give a user an authenticator app (required for reseller and staff users, A6)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    return user


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@example.test")
    language = "en"
