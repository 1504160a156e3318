import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0006_call_results_public"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="fundingcall",
            name="review_due_on",
            field=models.DateField(blank=True, null=True, verbose_name="reviews due by default"),
        ),
        migrations.CreateModel(
            name="ReviewAssignment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("due_on", models.DateField(verbose_name="due by")),
                ("assigned_at", models.DateTimeField(auto_now_add=True, verbose_name="assigned")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="funding.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "assigned_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="funding.reviewer",
                        verbose_name="reviewer",
                    ),
                ),
            ],
            options={
                "verbose_name": "review assignment",
                "verbose_name_plural": "review assignments",
                "ordering": ["due_on", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("application", "reviewer"), name="one_assignment_per_reviewer"
                    )
                ],
            },
        ),
    ]
